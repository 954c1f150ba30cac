//! Builders of the `ext_proc` answers the fake picker sends.

use std::collections::HashMap;

use envoy_types::pb::envoy::config::core::v3::header_value_option::HeaderAppendAction;
use envoy_types::pb::envoy::config::core::v3::{HeaderMap, HeaderValue, HeaderValueOption};
use envoy_types::pb::envoy::service::ext_proc::v3::processing_response::Response;
use envoy_types::pb::envoy::service::ext_proc::v3::{
    BodyMutation, BodyResponse, CommonResponse, HeaderMutation, HeadersResponse, ImmediateResponse,
    ProcessingResponse, StreamedBodyResponse, TrailersResponse, body_mutation,
};
use envoy_types::pb::envoy::r#type::v3::HttpStatus;
use envoy_types::pb::google::protobuf::{Struct, Value, value::Kind};

/// The value of header `name` in `headers` (raw or string form), if present.
pub fn header<'a>(headers: Option<&'a HeaderMap>, name: &str) -> Option<&'a str> {
    let h = headers?.headers.iter().find(|h| h.key == name)?;
    if h.raw_value.is_empty() {
        Some(h.value.as_str())
    } else {
        std::str::from_utf8(&h.raw_value).ok()
    }
}

/// A header mutation setting each (name, value), replacing any value already there.
pub fn set_headers(headers: &[(&str, &str)]) -> HeaderMutation {
    HeaderMutation {
        set_headers: headers
            .iter()
            .map(|(k, v)| HeaderValueOption {
                header: Some(HeaderValue {
                    key: (*k).to_string(),
                    raw_value: v.as_bytes().to_vec(),
                    ..Default::default()
                }),
                append_action: HeaderAppendAction::OverwriteIfExistsOrAdd as i32,
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

/// The answer to request or response headers, with an optional header mutation.
pub fn headers_response(request: bool, mutation: Option<HeaderMutation>) -> ProcessingResponse {
    let common = CommonResponse {
        header_mutation: mutation,
        ..Default::default()
    };
    let answer = HeadersResponse {
        response: Some(common),
    };
    let response = if request {
        Response::RequestHeaders(answer)
    } else {
        Response::ResponseHeaders(answer)
    };
    ProcessingResponse {
        response: Some(response),
        ..Default::default()
    }
}

/// A streamed body chunk handed back to Envoy (request or response side).
pub fn body_response(request: bool, body: Vec<u8>, end_of_stream: bool) -> ProcessingResponse {
    let common = CommonResponse {
        body_mutation: Some(BodyMutation {
            mutation: Some(body_mutation::Mutation::StreamedResponse(
                StreamedBodyResponse {
                    body,
                    end_of_stream,
                    ..Default::default()
                },
            )),
        }),
        ..Default::default()
    };
    let answer = BodyResponse {
        response: Some(common),
    };
    let response = if request {
        Response::RequestBody(answer)
    } else {
        Response::ResponseBody(answer)
    };
    ProcessingResponse {
        response: Some(response),
        ..Default::default()
    }
}

/// The answer to request or response trailers (unchanged).
pub fn trailers_response(request: bool) -> ProcessingResponse {
    let answer = TrailersResponse::default();
    let response = if request {
        Response::RequestTrailers(answer)
    } else {
        Response::ResponseTrailers(answer)
    };
    ProcessingResponse {
        response: Some(response),
        ..Default::default()
    }
}

/// Dynamic metadata `{namespace: {key: value}}`.
pub fn metadata(namespace: &str, key: &str, value: &str) -> Struct {
    let inner = Struct {
        fields: HashMap::from([(
            key.to_string(),
            Value {
                kind: Some(Kind::StringValue(value.to_string())),
            },
        )]),
    };
    Struct {
        fields: HashMap::from([(
            namespace.to_string(),
            Value {
                kind: Some(Kind::StructValue(inner)),
            },
        )]),
    }
}

/// An immediate reply with `status` and an OpenAI error body naming the problem.
pub fn reject(status: i32, message: &str) -> ProcessingResponse {
    let body = serde_json::json!({"error": {
        "message": format!("fake-epp: {message}"),
        "type": "invalid_request_error",
        "param": null,
        "code": "fake_epp_rejected",
    }});
    ProcessingResponse {
        response: Some(Response::ImmediateResponse(ImmediateResponse {
            status: Some(HttpStatus { code: status }),
            headers: Some(set_headers(&[("content-type", "application/json")])),
            body: body.to_string().into_bytes(),
            details: "fake_epp_rejected".into(),
            ..Default::default()
        })),
        ..Default::default()
    }
}
