//! What the filter records about each JSON-RPC request or notification it handles: the
//! `mcp.server.operation.duration` histogram and the access-log fields (`mcp_method`,
//! `mcp_server`, `mcp_tool`, `mcp_error`), both written just before the client is answered.

use aigw_core::metadata::{MCP_ERROR, MCP_METHOD, MCP_SERVER, MCP_TOOL};
use aigw_core::metrics::{MCP_OPERATION_DURATION, MCP_OPERATION_LABELS, mcp_method_label};
use aigw_host::{Host, MetadataValue, MetricId, MetricKind, MetricsRegistry};
use std::time::SystemTime;

/// Defines the duration histogram with its label names.
pub fn define(registry: &mut dyn MetricsRegistry) -> Result<MetricId, String> {
    registry
        .define(
            MetricKind::Histogram,
            MCP_OPERATION_DURATION,
            &MCP_OPERATION_LABELS,
        )
        .map_err(|e| format!("defining metric {MCP_OPERATION_DURATION}: {e}"))
}

/// One handled JSON-RPC message, from its body being read until its answer.
#[derive(Debug, Clone)]
pub struct Operation {
    metric: MetricId,
    started: SystemTime,
    method: String,
    version: String,
    server: String,
    tool: String,
}

impl Operation {
    /// An operation of `method` that started at `started`, in a session of protocol
    /// `version` (empty when unknown).
    pub fn new(metric: MetricId, started: SystemTime, method: &str, version: &str) -> Self {
        Self {
            metric,
            started,
            method: method.to_string(),
            version: version.to_string(),
            server: String::new(),
            tool: String::new(),
        }
    }

    /// The JSON-RPC method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The protocol version (empty when unknown).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Sets the protocol version (negotiated by `initialize`).
    pub fn set_version(&mut self, version: &str) {
        self.version = version.to_string();
    }

    /// Sets the configured server a routed request goes to and the tool, prompt or resource
    /// URI it names (the server's own name).
    pub fn set_target(&mut self, server: &str, tool: &str) {
        self.server = server.to_string();
        self.tool = tool.to_string();
    }

    /// Records the duration until now and writes the access-log fields; `error` is why the
    /// operation failed (JSON-RPC error code, `denied`, `tool_error`), `None` on success.
    pub fn finish(&self, host: &mut dyn Host, error: Option<&str>) {
        let elapsed = host
            .now()
            .duration_since(self.started)
            .unwrap_or_default()
            .as_millis();
        // A tool name reaches the metric only when the server ran it: a name the server
        // refused, or a denied call, is the client's free choice and would mint series.
        let tool = match error {
            None | Some(aigw_core::metrics::ERROR_TYPE_TOOL_ERROR)
                if self.method == "tools/call" =>
            {
                self.tool.as_str()
            }
            _ => "",
        };
        let labels = [
            mcp_method_label(&self.method),
            tool,
            error.unwrap_or_default(),
            &self.version,
            &self.server,
        ];
        host.record_metric(
            self.metric,
            &labels,
            u64::try_from(elapsed).unwrap_or(u64::MAX),
        );
        let fields = [
            (MCP_METHOD, self.method.as_str()),
            (MCP_SERVER, &self.server),
            (MCP_TOOL, &self.tool),
            (MCP_ERROR, error.unwrap_or_default()),
        ];
        for (key, value) in fields {
            if !value.is_empty() {
                host.set_metadata(key, MetadataValue::Str(value.to_string()));
            }
        }
    }
}

#[cfg(test)]
#[path = "telemetry_tests.rs"]
mod tests;
