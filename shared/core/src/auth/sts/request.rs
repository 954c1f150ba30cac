//! The `AssumeRoleWithWebIdentity` request.

use super::STS_VERSION;
use crate::auth::SecretString;
use crate::auth::token::{TokenRequest, TokenUrl};
use secrecy::ExposeSecret;
use std::path::PathBuf;

/// Where the web-identity token comes from.
#[derive(Debug)]
pub enum WebIdentityToken {
    /// Read once (from an environment variable) at config load.
    Fixed(SecretString),
    /// A token file read at every call, so a rotated token (a projected service-account
    /// token is replaced well before it expires) is always the one sent.
    File(PathBuf),
}

/// One role to assume with a web identity.
#[derive(Debug)]
pub struct AssumeRole {
    /// ARN of the role.
    pub role_arn: String,
    /// `RoleSessionName` (2-64 of `[A-Za-z0-9_+=,.@-]`).
    pub session_name: String,
    /// The web-identity token.
    pub token: WebIdentityToken,
    /// `DurationSeconds`, when set (else STS's default of one hour).
    pub duration_seconds: Option<u32>,
    /// The STS endpoint.
    pub url: TokenUrl,
}

/// Whether `name` is a valid `RoleSessionName`.
pub fn valid_session_name(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

impl AssumeRole {
    /// Builds the form-encoded POST. Errors (an unreadable or empty token file) name the
    /// file, never the token.
    pub fn request(&self) -> Result<TokenRequest, String> {
        let token = match &self.token {
            WebIdentityToken::Fixed(token) => token.expose_secret().to_string(),
            WebIdentityToken::File(path) => read_token_file(path)?,
        };
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("Action", "AssumeRoleWithWebIdentity")
            .append_pair("Version", STS_VERSION)
            .append_pair("RoleArn", &self.role_arn)
            .append_pair("RoleSessionName", &self.session_name)
            .append_pair("WebIdentityToken", &token);
        if let Some(seconds) = self.duration_seconds {
            form.append_pair("DurationSeconds", &seconds.to_string());
        }
        Ok(TokenRequest {
            authority: self.url.authority.clone(),
            path: self.url.path.clone(),
            body: form.finish().into_bytes(),
        })
    }
}

fn read_token_file(path: &PathBuf) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "web_identity_token_file {}: cannot read: {e}",
            path.display()
        )
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(format!(
            "web_identity_token_file {} is empty",
            path.display()
        ));
    }
    Ok(token.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(token: WebIdentityToken) -> AssumeRole {
        AssumeRole {
            role_arn: "arn:aws:iam::123456789012:role/aigw".into(),
            session_name: "aigw-gateway".into(),
            token,
            duration_seconds: None,
            url: TokenUrl::parse("https://sts.us-east-1.amazonaws.com/").unwrap(),
        }
    }

    fn form(req: &TokenRequest) -> Vec<(String, String)> {
        form_urlencoded::parse(&req.body).into_owned().collect()
    }

    #[test]
    fn form_has_action_version_role_session_and_token() {
        let mut r = role(WebIdentityToken::Fixed(SecretString::from("fake-wi-token")));
        r.duration_seconds = Some(900);
        let req = r.request().unwrap();
        assert_eq!(req.authority, "sts.us-east-1.amazonaws.com");
        assert_eq!(req.path, "/");
        assert_eq!(
            form(&req),
            [
                ("Action", "AssumeRoleWithWebIdentity"),
                ("Version", "2011-06-15"),
                ("RoleArn", "arn:aws:iam::123456789012:role/aigw"),
                ("RoleSessionName", "aigw-gateway"),
                ("WebIdentityToken", "fake-wi-token"),
                ("DurationSeconds", "900"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
        assert!(!format!("{r:?}").contains("fake-wi-token"));
        assert!(!format!("{req:?}").contains("fake-wi-token"));
    }

    #[test]
    fn token_file_is_read_at_every_request() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), "fake-wi-1\n").unwrap();
        let r = role(WebIdentityToken::File(file.path().to_path_buf()));
        let token = |req: TokenRequest| {
            form(&req)
                .into_iter()
                .find(|(k, _)| k == "WebIdentityToken")
        };
        assert_eq!(token(r.request().unwrap()).unwrap().1, "fake-wi-1");
        std::fs::write(file.path(), "fake-wi-2").unwrap();
        assert_eq!(token(r.request().unwrap()).unwrap().1, "fake-wi-2");
        std::fs::write(file.path(), "\n").unwrap();
        let err = r.request().unwrap_err();
        assert!(
            err.starts_with("web_identity_token_file ") && err.ends_with(" is empty"),
            "{err}"
        );
    }

    #[test]
    fn session_names() {
        assert!(valid_session_name("aigw@gw-1.x=y,z+w_v"));
        assert!(!valid_session_name("a"));
        assert!(!valid_session_name("has space"));
        assert!(!valid_session_name(&"a".repeat(65)));
    }
}
