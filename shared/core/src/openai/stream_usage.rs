//! Forcing `stream_options.include_usage: true` on streamed requests, so the final chunk
//! carries token usage the gateway can account for.

use super::edit::Edit;
use super::error::OpenAiError;
use super::fields;
use super::request::RequestView;
use crate::api_kind::ApiKind;

const MEMBER: &[u8] = br#""include_usage":true"#;

/// The edit that makes `stream_options.include_usage` true, or `None` when the request is
/// not a streamed chat/completions request or already asks for usage.
pub fn include_usage_edit(
    kind: ApiKind,
    body: &[u8],
    view: &RequestView<'_>,
) -> Result<Option<Edit>, OpenAiError> {
    if !view.stream || kind == ApiKind::Embeddings {
        return Ok(None);
    }
    let Some(options) = view.stream_options else {
        let mut replacement = b",\"stream_options\":{".to_vec();
        replacement.extend_from_slice(MEMBER);
        replacement.push(b'}');
        return Ok(Some(Edit {
            range: view.object_end..view.object_end,
            replacement,
        }));
    };
    let options_span = fields::span(body, options);
    if options.get() == "null" {
        let mut replacement = b"{".to_vec();
        replacement.extend_from_slice(MEMBER);
        replacement.push(b'}');
        return Ok(Some(Edit {
            range: options_span,
            replacement,
        }));
    }
    let inner = fields::pick(options.get().as_bytes(), &["include_usage"]).map_err(|e| {
        OpenAiError::bad_request(
            format!("Invalid 'stream_options': {e}."),
            Some("stream_options"),
        )
    })?;
    match inner.values[0] {
        Some(raw) if raw.get() == "true" => Ok(None),
        Some(raw) if raw.get() == "false" || raw.get() == "null" => {
            let start = options_span.start + fields::span(options.get().as_bytes(), raw).start;
            Ok(Some(Edit {
                range: start..start + raw.get().len(),
                replacement: b"true".to_vec(),
            }))
        }
        Some(raw) => Err(OpenAiError::bad_request(
            format!(
                "Invalid type for 'stream_options.include_usage': expected a boolean, but got {} instead.",
                fields::type_name(raw)
            ),
            Some("stream_options.include_usage"),
        )),
        None => {
            let at = options_span.start + 1;
            Ok(Some(Edit::insert_first_member(
                at,
                MEMBER.to_vec(),
                inner.len > 0,
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openai::request::parse_request;

    fn edited(kind: ApiKind, body: &str) -> Result<Option<String>, OpenAiError> {
        let view = parse_request(kind, body.as_bytes())?;
        Ok(include_usage_edit(kind, body.as_bytes(), &view)?
            .map(|e| String::from_utf8(e.apply(body.as_bytes())).unwrap()))
    }

    #[test]
    fn adds_stream_options_when_absent() {
        let out = edited(
            ApiKind::ChatCompletions,
            "{\"model\":\"m\",\"messages\":[{}],\"stream\":true}\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            out,
            "{\"model\":\"m\",\"messages\":[{}],\"stream\":true,\"stream_options\":{\"include_usage\":true}}\n"
        );
    }

    #[test]
    fn adds_member_to_existing_options() {
        let out = edited(
            ApiKind::Completions,
            r#"{"model":"m","prompt":"p","stream":true,"stream_options":{ "x":1}}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            out,
            r#"{"model":"m","prompt":"p","stream":true,"stream_options":{"include_usage":true, "x":1}}"#
        );
        let out = edited(
            ApiKind::Completions,
            r#"{"model":"m","prompt":"p","stream":true,"stream_options":{}}"#,
        )
        .unwrap()
        .unwrap();
        assert!(out.ends_with(r#""stream_options":{"include_usage":true}}"#));
    }

    #[test]
    fn flips_false_and_keeps_true() {
        let out = edited(
            ApiKind::ChatCompletions,
            r#"{"model":"m","messages":[{}],"stream":true,"stream_options":{"include_usage": false}}"#,
        )
        .unwrap()
        .unwrap();
        assert!(out.ends_with(r#"{"include_usage": true}}"#));
        let same = edited(
            ApiKind::ChatCompletions,
            r#"{"model":"m","messages":[{}],"stream":true,"stream_options":{"include_usage":true}}"#,
        )
        .unwrap();
        assert_eq!(same, None);
    }

    #[test]
    fn null_options_are_replaced() {
        let out = edited(
            ApiKind::ChatCompletions,
            r#"{"model":"m","messages":[{}],"stream":true,"stream_options":null}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            out,
            r#"{"model":"m","messages":[{}],"stream":true,"stream_options":{"include_usage":true}}"#
        );
    }

    #[test]
    fn leaves_non_streaming_and_embeddings_alone() {
        assert_eq!(
            edited(ApiKind::ChatCompletions, r#"{"model":"m","messages":[{}]}"#).unwrap(),
            None
        );
        assert_eq!(
            edited(
                ApiKind::Embeddings,
                r#"{"model":"m","input":"x","stream":true}"#
            )
            .unwrap(),
            None
        );
    }

    #[test]
    fn rejects_non_boolean_include_usage() {
        let e = edited(
            ApiKind::ChatCompletions,
            r#"{"model":"m","messages":[{}],"stream":true,"stream_options":{"include_usage":1}}"#,
        )
        .unwrap_err();
        assert_eq!(e.param, Some("stream_options.include_usage"));
    }
}
