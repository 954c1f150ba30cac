//! The `model` field of a `multipart/form-data` upload (audio transcriptions and
//! translations), read with the `multer` parser over the buffered body. The upload itself is
//! left untouched; fields before `model` are skipped, the file is never copied.

use super::error::OpenAiError;
use bytes::Bytes;
use futures_util::FutureExt;
use std::convert::Infallible;

/// Largest `model` field accepted, in bytes.
const MAX_MODEL_BYTES: usize = 256;

/// Reads the `model` field of a multipart body with `content_type` (which names the
/// boundary). Errors are OpenAI-style 400s.
pub fn multipart_model(content_type: &str, body: &[u8]) -> Result<String, OpenAiError> {
    let bad = |m: String| OpenAiError::bad_request(m, None);
    let boundary = multer::parse_boundary(content_type)
        .map_err(|e| bad(format!("Expected a multipart/form-data body: {e}.")))?;
    let whole = Bytes::copy_from_slice(body);
    let stream = futures_util::stream::once(async move { Ok::<Bytes, Infallible>(whole) });
    let mut form = multer::Multipart::new(stream, boundary);
    // The body is complete in memory: every future resolves at its first poll.
    let pending = || bad("The multipart body ended unexpectedly.".to_string());
    loop {
        let field = form
            .next_field()
            .now_or_never()
            .ok_or_else(pending)?
            .map_err(|e| bad(format!("Invalid multipart body: {e}.")))?;
        let Some(field) = field else {
            return Err(OpenAiError::bad_request(
                "you must provide a model parameter",
                Some("model"),
            ));
        };
        if field.name() != Some("model") {
            continue;
        }
        let value = field
            .bytes()
            .now_or_never()
            .ok_or_else(pending)?
            .map_err(|e| bad(format!("Invalid multipart body: {e}.")))?;
        let model = std::str::from_utf8(&value)
            .ok()
            .filter(|m| !m.is_empty() && m.len() <= MAX_MODEL_BYTES)
            .filter(|m| !m.chars().any(char::is_control))
            .ok_or_else(|| {
                OpenAiError::bad_request(
                    "Invalid 'model': expected a non-empty string.",
                    Some("model"),
                )
            })?;
        return Ok(model.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CT: &str = "multipart/form-data; boundary=XyZ";

    fn form(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, filename, value) in parts {
            out.extend_from_slice(b"--XyZ\r\nContent-Disposition: form-data; name=\"");
            out.extend_from_slice(name.as_bytes());
            out.push(b'"');
            if let Some(f) = filename {
                out.extend_from_slice(
                    format!("; filename=\"{f}\"\r\nContent-Type: audio/wav").as_bytes(),
                );
            }
            out.extend_from_slice(b"\r\n\r\n");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"--XyZ--\r\n");
        out
    }

    #[test]
    fn finds_the_model_before_or_after_the_file() {
        let audio: &[u8] = &[0, 159, 146, 150, 13, 10, 45, 45];
        let body = form(&[
            ("file", Some("a.wav"), audio),
            ("model", None, b"whisper-1"),
        ]);
        assert_eq!(multipart_model(CT, &body).unwrap(), "whisper-1");
        let body = form(&[
            ("model", None, b"gpt-4o-transcribe"),
            ("file", Some("a.wav"), audio),
        ]);
        assert_eq!(multipart_model(CT, &body).unwrap(), "gpt-4o-transcribe");
    }

    #[test]
    fn refuses_bodies_without_a_model() {
        let body = form(&[("file", Some("a.wav"), b"x")]);
        assert_eq!(multipart_model(CT, &body).unwrap_err().param, Some("model"));
        let body = form(&[("model", None, b"")]);
        assert_eq!(multipart_model(CT, &body).unwrap_err().param, Some("model"));
        assert_eq!(
            multipart_model("application/json", b"{}")
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(
            multipart_model(CT, b"--XyZ\r\ngarbage").unwrap_err().status,
            400
        );
    }
}
