//! Usage of a non-streaming response: the body passes through untouched while a bounded
//! copy is kept and parsed once at the end.

use crate::schema::{Schema, extract};
use aigw_core::usage::ResponseUsage;
use aigw_host::{Host, LogLevel};

/// Largest response body copied for usage extraction; beyond it the usage is not read.
pub(crate) const MAX_COPY_BYTES: usize = 16 << 20;

/// The copy of a non-streaming response body.
#[derive(Debug)]
pub(crate) struct BufferedBody {
    schema: Schema,
    copy: Vec<u8>,
    overflowed: bool,
}

impl BufferedBody {
    /// An empty copy of a body in `schema`.
    pub fn new(schema: Schema) -> Self {
        Self {
            schema,
            copy: Vec::new(),
            overflowed: false,
        }
    }

    /// Appends a chunk to the copy, or gives up (logging once) when the copy would exceed
    /// [`MAX_COPY_BYTES`].
    pub fn push(&mut self, chunk: Vec<u8>, host: &dyn Host) {
        if self.overflowed {
            return;
        }
        if self.copy.len() + chunk.len() > MAX_COPY_BYTES {
            self.overflowed = true;
            self.copy = Vec::new();
            host.log(
                LogLevel::Warn,
                &format!(
                    "token-usage: response body larger than {MAX_COPY_BYTES} bytes; usage not recorded"
                ),
            );
        } else if self.copy.is_empty() {
            self.copy = chunk;
        } else {
            self.copy.extend_from_slice(&chunk);
        }
    }

    /// Parses the copy. A body that is too large, empty or not the expected JSON yields
    /// no usage (logged at debug level: error bodies of upstreams are often not JSON).
    pub fn finish(&mut self, host: &dyn Host) -> ResponseUsage {
        let copy = std::mem::take(&mut self.copy);
        if self.overflowed || copy.is_empty() {
            return ResponseUsage::default();
        }
        extract(self.schema, &copy).unwrap_or_else(|e| {
            host.log(LogLevel::Debug, &format!("token-usage: {e}"));
            ResponseUsage::default()
        })
    }
}
