//! The fake picker's conversation, message by message.

use envoy_types::pb::envoy::config::core::v3::{HeaderMap, HeaderValue};
use envoy_types::pb::envoy::service::ext_proc::v3::processing_request::Request;
use envoy_types::pb::envoy::service::ext_proc::v3::processing_response::Response;
use envoy_types::pb::envoy::service::ext_proc::v3::{
    HttpBody, HttpHeaders, ProcessingRequest, ProcessingResponse, body_mutation,
};
use envoy_types::pb::google::protobuf::value::Kind;

use super::exchange::{DESTINATION, PICKED_HEADER};
use super::{Answer, Exchange};

const ENDPOINT: &str = "127.0.0.2:8000";

fn headers(pairs: &[(&str, &str)], end_of_stream: bool) -> HttpHeaders {
    HttpHeaders {
        headers: Some(HeaderMap {
            headers: pairs
                .iter()
                .map(|(k, v)| HeaderValue {
                    key: (*k).into(),
                    raw_value: v.as_bytes().to_vec(),
                    ..Default::default()
                })
                .collect(),
        }),
        end_of_stream,
        ..Default::default()
    }
}

fn request_headers(extra: &[(&str, &str)]) -> ProcessingRequest {
    let mut pairs = vec![
        (":method", "POST"),
        (":path", "/v1/chat/completions"),
        ("content-type", "application/json"),
        ("x-ai-eg-model", "llama"),
    ];
    pairs.extend_from_slice(extra);
    ProcessingRequest {
        request: Some(Request::RequestHeaders(headers(&pairs, false))),
        ..Default::default()
    }
}

fn body(request: bool, bytes: &[u8], end_of_stream: bool) -> ProcessingRequest {
    let b = HttpBody {
        body: bytes.to_vec(),
        end_of_stream,
        ..Default::default()
    };
    ProcessingRequest {
        request: Some(if request {
            Request::RequestBody(b)
        } else {
            Request::ResponseBody(b)
        }),
        ..Default::default()
    }
}

fn set_header<'a>(r: &'a ProcessingResponse, name: &str) -> Option<&'a [u8]> {
    let common = match r.response.as_ref()? {
        Response::RequestHeaders(h) | Response::ResponseHeaders(h) => h.response.as_ref()?,
        _ => return None,
    };
    let m = common.header_mutation.as_ref()?;
    m.set_headers
        .iter()
        .filter_map(|o| o.header.as_ref())
        .find(|h| h.key == name)
        .map(|h| h.raw_value.as_slice())
}

fn streamed_body(r: &ProcessingResponse) -> (Vec<u8>, bool) {
    let common = match r.response.as_ref().unwrap() {
        Response::RequestBody(b) | Response::ResponseBody(b) => b.response.as_ref().unwrap(),
        other => panic!("not a body response: {other:?}"),
    };
    match common
        .body_mutation
        .as_ref()
        .unwrap()
        .mutation
        .as_ref()
        .unwrap()
    {
        body_mutation::Mutation::StreamedResponse(s) => (s.body.clone(), s.end_of_stream),
        other => panic!("not streamed: {other:?}"),
    }
}

fn exchange(answer: Answer) -> Exchange {
    Exchange::new(ENDPOINT.parse().unwrap(), answer)
}

#[test]
fn answers_the_pick_after_the_whole_body_then_echoes_the_response() {
    let mut x = exchange(Answer::Both);
    assert_eq!(x.handle(request_headers(&[])), (vec![], false));
    assert_eq!(
        x.handle(body(true, br#"{"model":"#, false)),
        (vec![], false)
    );
    let (answers, done) = x.handle(body(true, br#""llama"}"#, true));
    assert!(!done);
    assert_eq!(answers.len(), 2);
    assert_eq!(
        set_header(&answers[0], DESTINATION),
        Some(ENDPOINT.as_bytes())
    );
    let md = answers[0].dynamic_metadata.as_ref().unwrap();
    let Some(Kind::StructValue(lb)) = &md.fields["envoy.lb"].kind else {
        panic!("{md:?}")
    };
    assert_eq!(
        lb.fields[DESTINATION].kind,
        Some(Kind::StringValue(ENDPOINT.into()))
    );
    assert_eq!(
        streamed_body(&answers[1]),
        (br#"{"model":"llama"}"#.to_vec(), true)
    );

    let response_headers = ProcessingRequest {
        request: Some(Request::ResponseHeaders(headers(
            &[(":status", "200")],
            false,
        ))),
        ..Default::default()
    };
    let (answers, done) = x.handle(response_headers);
    assert!(!done);
    assert_eq!(
        set_header(&answers[0], PICKED_HEADER),
        Some(ENDPOINT.as_bytes())
    );
    let (answers, done) = x.handle(body(false, b"data: 1\n\n", false));
    assert_eq!(
        (streamed_body(&answers[0]), done),
        ((b"data: 1\n\n".to_vec(), false), false)
    );
    let (answers, done) = x.handle(body(false, b"data: [DONE]\n\n", true));
    assert!(streamed_body(&answers[0]).1);
    assert!(done);
}

#[test]
fn header_and_metadata_answers_are_separate_styles() {
    let mut x = exchange(Answer::Header);
    x.handle(request_headers(&[]));
    let (answers, _) = x.handle(body(true, br#"{"model":"llama"}"#, true));
    assert!(set_header(&answers[0], DESTINATION).is_some());
    assert!(answers[0].dynamic_metadata.is_none());

    let mut x = exchange(Answer::Metadata);
    x.handle(request_headers(&[]));
    let (answers, _) = x.handle(body(true, br#"{"model":"llama"}"#, true));
    assert!(set_header(&answers[0], DESTINATION).is_none());
    assert!(answers[0].dynamic_metadata.is_some());
}

fn rejected(answers: &[ProcessingResponse]) -> String {
    match answers[0].response.as_ref().unwrap() {
        Response::ImmediateResponse(r) => {
            assert_eq!(r.status.as_ref().unwrap().code, 400);
            String::from_utf8(r.body.clone()).unwrap()
        }
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn refuses_what_envoy_must_not_send() {
    let (answers, done) =
        exchange(Answer::Both).handle(request_headers(&[(DESTINATION, "10.0.0.9:80")]));
    assert!(done);
    assert!(rejected(&answers).contains("already carries"));

    let mut x = exchange(Answer::Both);
    let no_model = ProcessingRequest {
        request: Some(Request::RequestHeaders(headers(
            &[(":method", "POST"), (":path", "/v1/chat/completions")],
            false,
        ))),
        ..Default::default()
    };
    assert!(rejected(&x.handle(no_model).0).contains("x-ai-eg-model"));

    let mut x = exchange(Answer::Both);
    x.handle(request_headers(&[]));
    let (answers, done) = x.handle(body(true, br#"{"model":"other"}"#, true));
    assert!(done);
    assert!(rejected(&answers).contains("differs"));

    let mut x = exchange(Answer::Both);
    let (answers, _) = x.handle(body(false, b"x", true));
    assert!(rejected(&answers).contains("before the request was answered"));
}
