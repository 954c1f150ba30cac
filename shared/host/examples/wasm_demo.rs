//! A demo filter exercising every host feature, built as `wasm_demo.wasm` to verify the
//! proxy-wasm host in a real Envoy (`shared/host/examples/wasm_envoy/run.sh`).
//!
//! Config `{"role":"router","callout_cluster":"<cluster>"}` (downstream):
//! * `POST /v1/*` (and `/anthropic/v1/*`) with a JSON body: buffers it, sets `x-ai-eg-model` from `"model"`, clears
//!   the route cache (routes match on that header), writes metadata `request_model` and
//!   `request_bytes`, counts `demo_requests{gen_ai_request_model}` and records
//!   `demo.request.bytes{gen_ai_operation_name,gen_ai_request_model}`.
//! * model `reject`: local reply 422. model `callout`: calls the callout cluster, then
//!   forwards its status as `x-callout-status` and `"checked":<status>` in the held body,
//!   and resumes (`callout-unknown-cluster`:
//!   the callout is refused and the filter answers 502; `callout-empty-cluster`: Envoy
//!   refuses it at once for want of an upstream, 502 too).
//! * model `panic`: the filter panics (a filter bug), trapping the VM. model `misuse`: the
//!   filter makes calls the host cannot honour then (and at stream completion), which the
//!   host must ignore or refuse without trapping.
//! * At stream completion: metadata `completed` = 1.
//! * Responses: `hello` becomes `HELLO` in every body chunk, chunk by chunk (not in the
//!   filter's own local replies, which it does not see).
//!
//! Config `{"role":"backend","backend":"<name>"}` (upstream): renames the model in the
//! buffered request body to `<model>@<name>`, tags the response with `x-aigw-backend`,
//! writes metadata `backend`, and rewrites a JSON response whole (headers held, body
//! buffered, `"greeting": "hello"` becomes `"greeting": "hello from <name>"`).

use aigw_host::{
    BodyStatus, CalloutResult, Filter, FilterFactory, HeadersStatus, Host, MetadataValue, MetricId,
    MetricKind, MetricsRegistry,
};
use std::time::Duration;

/// Parsed config and metric handles.
pub struct DemoFactory {
    role: Role,
    requests: MetricId,
    request_bytes: MetricId,
}

#[derive(Clone)]
enum Role {
    Router { callout_cluster: String },
    Backend { name: String },
}

fn string_field(config: &serde_json::Value, field: &str) -> Result<String, String> {
    config
        .get(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .ok_or_else(|| format!("{field}: required string"))
}

impl FilterFactory for DemoFactory {
    type Filter = DemoFilter;

    fn from_config(config: &str, metrics: &mut dyn MetricsRegistry) -> Result<Self, String> {
        let v: serde_json::Value =
            serde_json::from_str(config).map_err(|e| format!("config is not JSON: {e}"))?;
        let role = match string_field(&v, "role")?.as_str() {
            "router" => Role::Router {
                callout_cluster: string_field(&v, "callout_cluster")?,
            },
            "backend" => Role::Backend {
                name: string_field(&v, "backend")?,
            },
            other => return Err(format!("role: `{other}` is not router or backend")),
        };
        let labels = ["gen_ai_operation_name", "gen_ai_request_model"];
        Ok(Self {
            role,
            requests: metrics.define(MetricKind::Counter, "demo_requests", &labels[1..])?,
            request_bytes: metrics.define(MetricKind::Histogram, "demo.request.bytes", &labels)?,
        })
    }

    fn create_filter(&self) -> DemoFilter {
        DemoFilter {
            role: self.role.clone(),
            requests: self.requests,
            request_bytes: self.request_bytes,
            handled: false,
            buffer_response: false,
            misuse: false,
        }
    }
}

/// Per-stream state of the demo.
pub struct DemoFilter {
    role: Role,
    requests: MetricId,
    request_bytes: MetricId,
    handled: bool,
    buffer_response: bool,
    misuse: bool,
}

/// Calls the host cannot honour at this point of the stream: each must be ignored (and
/// logged) or answered with an error, never trap the VM.
fn misuse(host: &mut dyn Host) {
    host.set_response_header("x-no-response-yet", "1");
    host.remove_response_header("x-no-response-yet");
    host.set_response_body(b"no response yet");
    let _ = host.response_body();
    host.continue_request();
    host.continue_response();
    host.record_metric(MetricId(999), &["x"], 1);
}

impl DemoFilter {
    fn route_by_model(&mut self, host: &mut dyn Host, body: &[u8]) -> BodyStatus {
        let Some(model) = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("model")?.as_str().map(str::to_string))
        else {
            host.send_local_reply(400, &[("content-type", "text/plain")], b"no model\n");
            return BodyStatus::Continue;
        };
        host.set_request_header("x-ai-eg-model", &model);
        host.clear_route_cache();
        host.set_metadata("request_model", MetadataValue::Str(model.clone()));
        host.set_metadata("request_bytes", MetadataValue::Num(body.len() as f64));
        host.record_metric(self.requests, &[&model], 1);
        host.record_metric(self.request_bytes, &["chat", &model], body.len() as u64);
        match (model.as_str(), &self.role) {
            // A filter bug: shows how Envoy's `failure_policy` copes with a trapped VM.
            ("panic", _) => panic!("demo filter panics on purpose"),
            ("misuse", Role::Router { .. }) => {
                self.misuse = true;
                misuse(host);
                BodyStatus::Continue
            }
            ("reject", _) => {
                host.send_local_reply(422, &[("x-demo", "rejected")], b"rejected by demo: hello\n");
                BodyStatus::Continue
            }
            (
                "callout" | "callout-unknown-cluster" | "callout-empty-cluster",
                Role::Router { callout_cluster },
            ) => {
                let cluster = match model.as_str() {
                    "callout" => callout_cluster,
                    "callout-empty-cluster" => "empty",
                    _ => "no-such-cluster",
                };
                let headers = [
                    (":method", "GET"),
                    (":path", "/check"),
                    (":authority", "check"),
                ];
                match host.http_callout(cluster, &headers, b"", Duration::from_secs(2)) {
                    Ok(_) => BodyStatus::StopNoBuffer,
                    Err(e) => {
                        host.send_local_reply(502, &[], e.as_bytes());
                        BodyStatus::Continue
                    }
                }
            }
            _ => BodyStatus::Continue,
        }
    }

    fn rename_model(&self, host: &mut dyn Host, body: &[u8], backend: &str) -> BodyStatus {
        let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(body) else {
            return BodyStatus::Continue;
        };
        if let Some(model) = v.get("model").and_then(|m| m.as_str()) {
            v["model"] = serde_json::Value::String(format!("{model}@{backend}"));
        }
        match serde_json::to_vec(&v) {
            Ok(new_body) => host.set_request_body(&new_body),
            Err(e) => host.log(aigw_host::LogLevel::Warn, &format!("re-encode failed: {e}")),
        }
        BodyStatus::Continue
    }
}

impl Filter for DemoFilter {
    fn on_request_headers(&mut self, host: &mut dyn Host, end_of_stream: bool) -> HeadersStatus {
        let is_api = host
            .request_header(":path")
            .is_some_and(|p| p.starts_with("/v1/") || p.starts_with("/anthropic/v1/"));
        self.handled = is_api && !end_of_stream;
        if let Role::Backend { name } = &self.role {
            host.set_request_header("x-demo-backend-filter", name);
        }
        if self.handled {
            HeadersStatus::StopIteration
        } else {
            HeadersStatus::Continue
        }
    }

    fn on_request_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        if !self.handled {
            return BodyStatus::Continue;
        }
        if !end_of_stream {
            return BodyStatus::StopAndBuffer;
        }
        let body = host.request_body();
        match self.role.clone() {
            Role::Router { .. } => self.route_by_model(host, &body),
            Role::Backend { name } => self.rename_model(host, &body, &name),
        }
    }

    fn on_response_headers(&mut self, host: &mut dyn Host, end_of_stream: bool) -> HeadersStatus {
        // Too late for request headers: the host must ignore this, not trap.
        host.set_request_header("x-too-late", "1");
        let content_type = host.response_header("content-type").unwrap_or_default();
        if content_type.contains("event-stream") {
            host.remove_response_header("content-length");
        }
        let Role::Backend { name } = &self.role else {
            return HeadersStatus::Continue;
        };
        host.set_response_header("x-aigw-backend", name);
        host.set_metadata("backend", MetadataValue::Str(name.clone()));
        // JSON answers are rewritten whole: hold the headers until the body is complete.
        self.buffer_response = content_type == "application/json" && !end_of_stream;
        if self.buffer_response {
            HeadersStatus::StopIteration
        } else {
            HeadersStatus::Continue
        }
    }

    fn on_response_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        match &self.role {
            Role::Router { .. } => {
                let chunk = host.response_body();
                if chunk.windows(5).any(|w| w == b"hello") {
                    let text = String::from_utf8_lossy(&chunk).replace("hello", "HELLO");
                    host.set_response_body(text.as_bytes());
                }
                BodyStatus::Continue
            }
            Role::Backend { .. } if !self.buffer_response => BodyStatus::Continue,
            Role::Backend { .. } if !end_of_stream => BodyStatus::StopAndBuffer,
            Role::Backend { name } => {
                let body = String::from_utf8_lossy(&host.response_body()).replace(
                    "\"greeting\": \"hello\"",
                    &format!("\"greeting\": \"hello from {name}\""),
                );
                host.set_response_body(body.as_bytes());
                BodyStatus::Continue
            }
        }
    }

    fn on_callout_done(&mut self, host: &mut dyn Host, _token: u32, result: CalloutResult) {
        match result {
            Ok(response) => {
                // The held request body is at hand between callbacks too.
                let body = String::from_utf8_lossy(&host.request_body()).replacen(
                    '{',
                    &format!("{{\"checked\":{},", response.status),
                    1,
                );
                host.set_request_body(body.as_bytes());
                host.set_request_header("x-callout-status", &response.status.to_string());
                host.set_request_header(
                    "x-callout-body",
                    String::from_utf8_lossy(&response.body).trim(),
                );
                host.continue_request();
            }
            Err(e) => host.send_local_reply(503, &[], e.as_bytes()),
        }
    }

    fn on_stream_complete(&mut self, host: &mut dyn Host) {
        if self.handled && matches!(self.role, Role::Router { .. }) {
            host.set_metadata("completed", MetadataValue::Num(1.0));
        }
        if self.misuse {
            misuse(host);
            host.send_local_reply(500, &[], b"too late");
            host.set_request_body(b"too late");
            host.clear_route_cache();
            if let Err(e) = host.http_callout("check", &[], b"", Duration::from_secs(1)) {
                host.log(aigw_host::LogLevel::Warn, &format!("as expected: {e}"));
            }
        }
    }
}

aigw_host::export_filter!(DemoFactory);
