//! SigV4 signing of the final upstream request: holds the headers, buffers the (already
//! translated) body, signs it at end of stream and sets the signature headers.

use crate::sigv4_config::AwsKeys;
use aigw_core::auth::sigv4::{self, AwsCredentials, RequestToSign, SigningScope};
use aigw_host::{BodyStatus, HeadersStatus, Host, LogLevel};

/// What the signer needs, shared by all streams of a config.
#[derive(Debug)]
pub(crate) struct Signer {
    pub(crate) backend: String,
    pub(crate) scope: SigningScope,
    pub(crate) keys: AwsKeys,
}

impl Signer {
    /// Request headers arrived: sign now when there is no body, else hold the headers
    /// until the body is complete.
    pub(crate) fn on_headers(&self, host: &mut dyn Host, end_of_stream: bool) -> HeadersStatus {
        if end_of_stream {
            self.sign(host, &[]);
            return HeadersStatus::Continue;
        }
        HeadersStatus::StopIteration
    }

    /// A body chunk arrived: buffer in Envoy until the end, then sign the whole body.
    /// Envoy's buffer limit (set by the control plane above the router's
    /// `max_request_bytes`) bounds what is held.
    pub(crate) fn on_body(&self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        if !end_of_stream {
            return BodyStatus::StopAndBuffer;
        }
        let body = host.request_body();
        self.sign(host, &body);
        BodyStatus::Continue
    }

    fn sign(&self, host: &mut dyn Host, body: &[u8]) {
        let (credentials, warning) = self.keys.current(host.now());
        if let Some(warning) = warning {
            host.log(
                LogLevel::Warn,
                &format!("upstream-auth backend {}: {warning}", self.backend),
            );
        }
        sign_request(host, &self.scope, &credentials, body);
    }
}

/// Signs the request held in `host` (its body is `body`) with `credentials` and sets the
/// signature headers.
pub(crate) fn sign_request(
    host: &mut dyn Host,
    scope: &SigningScope,
    credentials: &AwsCredentials,
    body: &[u8],
) {
    // Client-sent AWS headers are not ours to forward: the signature covers only what
    // the signer sets.
    for name in ["x-amz-security-token", "x-amz-content-sha256", "x-amz-date"] {
        host.remove_request_header(name);
    }
    let header = |name: &str| host.request_header(name).unwrap_or_default();
    let (method, path, authority) = (header(":method"), header(":path"), header(":authority"));
    let content_type = host.request_header("content-type");
    let request = RequestToSign {
        method: &method,
        path: &path,
        host: &authority,
        content_type: content_type.as_deref(),
        body,
    };
    let headers = sigv4::sign(credentials, scope, &request, host.now());
    for (name, value) in headers {
        host.set_request_header(name, &value);
    }
}

#[cfg(test)]
#[path = "signing_tests.rs"]
mod tests;
