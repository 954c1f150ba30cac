//! A demo filter exercising every host feature, built as `libnative_demo.so` to verify the
//! native host in a real Envoy (see `shared/host/tests/native_envoy.rs`).
//!
//! * `POST` with a JSON body: buffers it, sets `x-demo-model` from `"model"`, clears the
//!   route cache (routes match on that header), adds `"demo":true` to the body, writes
//!   metadata `request_model`/`request_bytes`, and counts `demo.requests{model=...}`
//!   (Prometheus: `envoy_dynamicmodulescustom_demo_requests{model="..."}`).
//! * `/local`: answers 418 locally. `/panic`: panics (the host answers 500).
//! * `/callout`: calls the configured cluster (or the one named in `x-callout-cluster`) and
//!   forwards its status (or `failed: <reason>`) as `x-callout-status`; a callout that
//!   cannot start sets `x-callout-error` instead.
//! * Responses: every body chunk has `hello` replaced by `HELLO`, chunk by chunk; the
//!   chunk count is recorded in `demo_chunks`.
//!
//! Config: `{"callout_cluster":"<cluster>"}`.

use aigw_host::{
    BodyStatus, CalloutResult, Filter, FilterFactory, HeadersStatus, Host, LogLevel, MetadataValue,
    MetricId, MetricKind, MetricsRegistry,
};
use std::time::Duration;

/// Parsed config and metric handles.
pub struct DemoFactory {
    callout_cluster: String,
    requests: MetricId,
    chunks: MetricId,
}

impl FilterFactory for DemoFactory {
    type Filter = DemoFilter;

    fn from_config(config: &str, metrics: &mut dyn MetricsRegistry) -> Result<Self, String> {
        let v: serde_json::Value =
            serde_json::from_str(config).map_err(|e| format!("not JSON: {e}"))?;
        let callout_cluster = v
            .get("callout_cluster")
            .and_then(|c| c.as_str())
            .ok_or("callout_cluster: required string")?
            .to_string();
        Ok(Self {
            callout_cluster,
            requests: metrics.define(MetricKind::Counter, "demo.requests", &["model"])?,
            chunks: metrics.define(MetricKind::Histogram, "demo_chunks", &["kind"])?,
        })
    }

    fn create_filter(&self) -> DemoFilter {
        DemoFilter {
            callout_cluster: self.callout_cluster.clone(),
            requests: self.requests,
            chunks: self.chunks,
            response_chunks: 0,
        }
    }
}

/// Per-stream state of the demo.
pub struct DemoFilter {
    callout_cluster: String,
    requests: MetricId,
    chunks: MetricId,
    response_chunks: u64,
}

impl Filter for DemoFilter {
    fn on_request_headers(&mut self, host: &mut dyn Host, end_of_stream: bool) -> HeadersStatus {
        match host.request_header(":path").as_deref() {
            Some("/local") => {
                host.send_local_reply(418, &[("x-demo", "local")], b"{\"teapot\":true}");
                HeadersStatus::StopIteration
            }
            Some("/panic") => panic!("demo panic"),
            Some("/callout") => {
                let headers = [
                    (":method", "GET"),
                    (":path", "/callout-target"),
                    (":authority", "callout.local"),
                ];
                let cluster = host
                    .request_header("x-callout-cluster")
                    .unwrap_or_else(|| self.callout_cluster.clone());
                match host.http_callout(&cluster, &headers, b"", Duration::from_secs(5)) {
                    Ok(_) => HeadersStatus::StopIteration,
                    Err(e) => {
                        host.set_request_header("x-callout-error", &e);
                        HeadersStatus::Continue
                    }
                }
            }
            _ if end_of_stream => HeadersStatus::Continue,
            _ => HeadersStatus::StopIteration,
        }
    }

    fn on_request_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        if !end_of_stream {
            return BodyStatus::StopAndBuffer;
        }
        let body = host.request_body();
        let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(&body) else {
            return BodyStatus::Continue;
        };
        let model = json
            .get("model")
            .and_then(|m| m.as_str())
            .unwrap_or("none")
            .to_string();
        json["demo"] = serde_json::Value::Bool(true);
        let new_body = json.to_string();
        host.set_request_header("x-demo-model", &model);
        host.set_request_header("content-length", &new_body.len().to_string());
        host.clear_route_cache();
        host.set_request_body(new_body.as_bytes());
        host.set_metadata("request_model", MetadataValue::Str(model.clone()));
        host.set_metadata("request_bytes", MetadataValue::Num(body.len() as f64));
        host.record_metric(self.requests, &[&model], 1);
        BodyStatus::Continue
    }

    fn on_response_headers(&mut self, host: &mut dyn Host, _end_of_stream: bool) -> HeadersStatus {
        host.remove_response_header("content-length");
        host.set_response_header("x-demo-response", "1");
        HeadersStatus::Continue
    }

    fn on_response_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        self.response_chunks += 1;
        let chunk = host.response_body();
        let text = String::from_utf8_lossy(&chunk).replace("hello", "HELLO");
        host.set_response_body(text.as_bytes());
        if end_of_stream {
            host.record_metric(self.chunks, &["response"], self.response_chunks);
        }
        BodyStatus::Continue
    }

    fn on_callout_done(&mut self, host: &mut dyn Host, _token: u32, result: CalloutResult) {
        let status = match result {
            Ok(r) => r.status.to_string(),
            Err(e) => {
                host.log(LogLevel::Warn, &e);
                format!("failed: {e}")
            }
        };
        host.set_request_header("x-callout-status", &status);
        host.continue_request();
    }
}

aigw_host::export_filter!(DemoFactory);
