//! The gateway's `Mcp-Session-Id`: the backends' session ids and protocol versions,
//! sealed with XChaCha20-Poly1305 so that any gateway replica holding the key can serve the
//! session, and a client can neither read nor forge it.
//!
//! Format: base64url (no padding) of a random 24-byte nonce followed by the ciphertext of
//! the session's JSON; the associated data binds it to this format's version.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

const NONCE_LEN: usize = 24;
const ASSOCIATED_DATA: &[u8] = b"aigw-mcp-session-v1";

/// One backend's part of a gateway session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendSession {
    /// The configured server name.
    #[serde(rename = "s")]
    pub server: String,
    /// The backend's `Mcp-Session-Id` (`None` for stateless servers).
    #[serde(rename = "i", default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// The protocol version the backend agreed to.
    #[serde(rename = "v")]
    pub version: String,
}

/// A gateway session: the version negotiated with the client and the backends that
/// initialized, in server order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Protocol version agreed with the client.
    #[serde(rename = "v")]
    pub version: String,
    /// Backends that joined the session.
    #[serde(rename = "b")]
    pub backends: Vec<BackendSession>,
    /// The capabilities the client declared at `initialize`, declared again for it when the
    /// gateway initializes a server anew in this session (its backend session expired), so
    /// that the server keeps offering what needs them (sampling, elicitation, roots).
    #[serde(rename = "c", default, skip_serializing_if = "Map::is_empty")]
    pub client_capabilities: Map<String, Value>,
}

/// A session key (32 bytes). `Debug` never shows it.
#[derive(Clone)]
pub struct SessionKey(XChaCha20Poly1305);

impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionKey(..)")
    }
}

impl SessionKey {
    /// A key from its standard base64 text (for example `openssl rand -base64 32`).
    /// The error never contains the text.
    pub fn from_base64(text: &str) -> Result<Self, String> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| "is not valid base64".to_string())?;
        Self::from_bytes(&bytes)
    }

    /// A key from 32 raw bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        XChaCha20Poly1305::new_from_slice(bytes)
            .map(Self)
            .map_err(|_| format!("must be 32 bytes, got {}", bytes.len()))
    }
}

/// Why a session id was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionError {
    /// Not base64url, too short, or the JSON inside is not a session.
    Malformed,
    /// Authentication failed: tampered, or sealed with another key.
    Unauthentic,
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Malformed => "malformed session id",
            Self::Unauthentic => "session id not issued by this gateway",
        })
    }
}

impl Session {
    /// Seals the session with `key` under a fresh random nonce.
    pub fn seal(&self, key: &SessionKey) -> Result<String, String> {
        let plain = serde_json::to_vec(self).map_err(|e| e.to_string())?;
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: &plain,
            aad: ASSOCIATED_DATA,
        };
        let sealed = key
            .0
            .encrypt(&nonce, payload)
            .map_err(|_| "session encryption failed".to_string())?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(URL_SAFE_NO_PAD.encode(out))
    }

    /// Opens a session id with the first of `keys` that authenticates it (the current key
    /// first, then fallback keys during a rotation).
    pub fn open(text: &str, keys: &[SessionKey]) -> Result<Self, SessionError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| SessionError::Malformed)?;
        if bytes.len() <= NONCE_LEN {
            return Err(SessionError::Malformed);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = XNonce::from_slice(nonce);
        let plain = keys
            .iter()
            .find_map(|key| {
                let payload = Payload {
                    msg: sealed,
                    aad: ASSOCIATED_DATA,
                };
                key.0.decrypt(nonce, payload).ok()
            })
            .ok_or(SessionError::Unauthentic)?;
        serde_json::from_slice(&plain).map_err(|_| SessionError::Malformed)
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
