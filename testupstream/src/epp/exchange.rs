//! One request's `ext_proc` conversation with the fake picker, as a state machine over
//! Envoy's messages (no I/O, so it is unit-tested directly).

use std::net::SocketAddr;

use envoy_types::pb::envoy::service::ext_proc::v3::processing_request::Request;
use envoy_types::pb::envoy::service::ext_proc::v3::{
    HttpHeaders, ProcessingRequest, ProcessingResponse,
};

use super::Answer;
use super::messages::{
    body_response, header, headers_response, metadata, reject, set_headers, trailers_response,
};

/// Request header (and `envoy.lb` metadata key) naming the chosen endpoint.
pub const DESTINATION: &str = "x-gateway-destination-endpoint";
/// Response header the fake adds, naming its pick, so tests can compare it with the server
/// that answered.
pub const PICKED_HEADER: &str = "x-fake-epp-picked";
/// The model header the gateway's translate filter sets before the picker runs.
const MODEL_HEADER: &str = "x-ai-eg-model";
/// Largest request body the fake accepts.
const MAX_BODY: usize = 8 * 1024 * 1024;

/// The conversation about one request.
pub struct Exchange {
    endpoint: SocketAddr,
    answer: Answer,
    request_headers: Option<HttpHeaders>,
    body: Vec<u8>,
    picked: bool,
    response_chunks: usize,
    model: String,
}

impl Exchange {
    /// A conversation that will pick `endpoint` and answer it as `answer` says.
    pub fn new(endpoint: SocketAddr, answer: Answer) -> Self {
        Self {
            endpoint,
            answer,
            request_headers: None,
            body: Vec::new(),
            picked: false,
            response_chunks: 0,
            model: String::new(),
        }
    }

    /// One line describing the request, for logs.
    pub fn summary(&self) -> String {
        format!(
            "model {:?} -> {} ({} response chunks)",
            self.model, self.endpoint, self.response_chunks
        )
    }

    /// Handles one message from Envoy: the answers to send, and whether the conversation is
    /// over (response complete or request refused).
    pub fn handle(&mut self, message: ProcessingRequest) -> (Vec<ProcessingResponse>, bool) {
        let result = match message.request {
            Some(Request::RequestHeaders(h)) => self.on_request_headers(h),
            Some(Request::RequestBody(b)) => self
                .on_request_body(b.body, b.end_of_stream)
                .map(|answers| (answers, false)),
            Some(Request::RequestTrailers(_)) => self.on_request_end().map(|mut answers| {
                answers.push(trailers_response(true));
                (answers, false)
            }),
            Some(Request::ResponseHeaders(h)) => self.on_response_headers(&h),
            Some(Request::ResponseBody(b)) => {
                if !self.picked {
                    Err("response body before the request was answered".to_string())
                } else {
                    self.response_chunks += 1;
                    let done = b.end_of_stream;
                    Ok((vec![body_response(false, b.body, b.end_of_stream)], done))
                }
            }
            Some(Request::ResponseTrailers(_)) => Ok((vec![trailers_response(false)], true)),
            None => Err("a ProcessingRequest without a request".to_string()),
        };
        match result {
            Ok(r) => r,
            Err(problem) => (vec![reject(400, &problem)], true),
        }
    }

    fn on_request_headers(
        &mut self,
        h: HttpHeaders,
    ) -> Result<(Vec<ProcessingResponse>, bool), String> {
        if self.request_headers.is_some() {
            return Err("request headers sent twice".into());
        }
        let headers = h.headers.as_ref();
        let get = |name: &str| header(headers, name);
        if get(":method") != Some("POST") {
            return Err(format!("expected :method POST, got {:?}", get(":method")));
        }
        let path = get(":path").unwrap_or_default();
        if !path.starts_with("/v1/") {
            return Err(format!("expected an OpenAI /v1/ path, got {path:?}"));
        }
        if get(DESTINATION).is_some() {
            return Err(format!("the request already carries {DESTINATION}"));
        }
        match get(MODEL_HEADER) {
            Some(m) if !m.is_empty() => self.model = m.to_string(),
            _ => {
                return Err(format!(
                    "no {MODEL_HEADER} header: the gateway must route first"
                ));
            }
        }
        if !get("content-type").is_some_and(|c| c.starts_with("application/json")) {
            return Err("content-type must be application/json".into());
        }
        if h.end_of_stream {
            return Err("the request headers end the stream: no body".into());
        }
        self.request_headers = Some(h);
        // The answer waits for the body: the pick may depend on it.
        Ok((Vec::new(), false))
    }

    fn on_request_body(
        &mut self,
        chunk: Vec<u8>,
        end: bool,
    ) -> Result<Vec<ProcessingResponse>, String> {
        if self.request_headers.is_none() || self.picked {
            return Err("request body out of order".into());
        }
        if self.body.len() + chunk.len() > MAX_BODY {
            return Err("request body too large".into());
        }
        self.body.extend_from_slice(&chunk);
        if end {
            self.on_request_end()
        } else {
            Ok(Vec::new())
        }
    }

    /// The whole request arrived: check the body, answer the pick, hand the body back.
    fn on_request_end(&mut self) -> Result<Vec<ProcessingResponse>, String> {
        if self.picked {
            return Ok(Vec::new());
        }
        let json: serde_json::Value = serde_json::from_slice(&self.body)
            .map_err(|e| format!("request body is not JSON: {e}"))?;
        let model = json
            .get("model")
            .and_then(|m| m.as_str())
            .unwrap_or_default();
        if model != self.model {
            return Err(format!(
                "body model {model:?} differs from {MODEL_HEADER} {:?}",
                self.model
            ));
        }
        self.picked = true;
        let endpoint = self.endpoint.to_string();
        let mutation = match self.answer {
            Answer::Header | Answer::Both => Some(set_headers(&[(DESTINATION, &endpoint)])),
            Answer::Metadata => None,
        };
        let mut headers = headers_response(true, mutation);
        if self.answer != Answer::Header {
            headers.dynamic_metadata = Some(metadata("envoy.lb", DESTINATION, &endpoint));
        }
        let body = std::mem::take(&mut self.body);
        Ok(vec![headers, body_response(true, body, true)])
    }

    fn on_response_headers(
        &mut self,
        h: &HttpHeaders,
    ) -> Result<(Vec<ProcessingResponse>, bool), String> {
        if !self.picked {
            return Err("response headers before the request was answered".into());
        }
        if header(h.headers.as_ref(), ":status").is_none() {
            return Err("response headers without :status".into());
        }
        let endpoint = self.endpoint.to_string();
        let answer = headers_response(false, Some(set_headers(&[(PICKED_HEADER, &endpoint)])));
        Ok((vec![answer], h.end_of_stream))
    }
}
