//! The plugin's root context: parses the filter configuration once in `on_configure` and
//! creates one [`Stream`] per HTTP stream.

use super::abi;
use super::host::log_line;
use super::http::StreamContext;
use super::metrics::Metrics;
use crate::{FilterFactory, LogLevel};
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::ContextType;
use std::cell::RefCell;
use std::rc::Rc;

/// What every stream of one plugin configuration shares.
pub struct Plugin<F: FilterFactory> {
    /// The parsed configuration.
    pub factory: F,
    /// Metrics defined by the factory, and their series.
    pub metrics: RefCell<Metrics>,
}

/// Root context of one plugin.
pub struct Root<F: FilterFactory> {
    plugin: Option<Rc<Plugin<F>>>,
}

impl<F: FilterFactory> Root<F> {
    /// A root context that has not been configured yet.
    pub fn new() -> Self {
        Self { plugin: None }
    }
}

/// Reads the plugin configuration and builds the factory; errors are for the log.
fn configure<F: FilterFactory>(size: usize) -> Result<Plugin<F>, String> {
    let bytes = abi::get_buffer(abi::BUFFER_PLUGIN_CONFIGURATION, 0, size)
        .map_err(|status| format!("plugin configuration unreadable: {status}"))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| format!("plugin configuration is not UTF-8 text: {e}"))?;
    let mut metrics = Metrics::default();
    let factory = F::from_config(text, &mut metrics)?;
    Ok(Plugin {
        factory,
        metrics: RefCell::new(metrics),
    })
}

impl<F: FilterFactory> Context for Root<F> {}

impl<F: FilterFactory> RootContext for Root<F> {
    fn on_configure(&mut self, plugin_configuration_size: usize) -> bool {
        match configure::<F>(plugin_configuration_size) {
            Ok(plugin) => {
                self.plugin = Some(Rc::new(plugin));
                true
            }
            Err(message) => {
                log_line(
                    LogLevel::Error,
                    &format!("invalid filter configuration: {message}"),
                );
                false
            }
        }
    }

    fn create_http_context(&self, context_id: u32) -> Option<Box<dyn HttpContext>> {
        // The SDK panics on `None`; an unconfigured root (Envoy rejected its config) still
        // gets a stream, which passes everything through.
        Some(Box::new(StreamContext::new(
            context_id,
            self.plugin.clone(),
        )))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}
