//! Body access for [`WasmHost`]: in a body callback the data it covers; between callbacks
//! (a callout answer) the data Envoy holds for the filter after a stop status. Also keeps
//! `content-length` right when a held body changes size.

use super::abi;
use super::host::WasmHost;
use super::state::{Held, Phase};

impl WasmHost<'_> {
    /// The body data a call may act on now, for one direction.
    fn body_target(&self, request: bool) -> Option<Held> {
        match (self.state.phase, request) {
            (
                Phase::RequestBody {
                    size,
                    end_of_stream,
                },
                true,
            )
            | (
                Phase::ResponseBody {
                    size,
                    end_of_stream,
                },
                false,
            ) => Some(Held {
                size,
                end_of_stream,
            }),
            (Phase::Idle, _) if !self.state.complete => self.state.held(request),
            _ => None,
        }
    }

    fn set_body_size(&mut self, request: bool, len: usize) {
        match (&mut self.state.phase, request) {
            (Phase::RequestBody { size, .. }, true) | (Phase::ResponseBody { size, .. }, false) => {
                *size = len
            }
            _ => {
                if let Some(held) = self.state.held_mut(request) {
                    held.size = len;
                }
            }
        }
    }

    /// The body data the filter may act on (empty, with a warning, when there is none).
    pub(super) fn read_body(&self, request: bool) -> Vec<u8> {
        let Some(target) = self.body_target(request) else {
            self.ignored("body read", "no body data of that direction is at hand");
            return Vec::new();
        };
        abi::get_buffer(buffer_type(request), 0, target.size).unwrap_or_else(|status| {
            self.refused("body read", status);
            Vec::new()
        })
    }

    /// Replaces exactly the data [`WasmHost::read_body`] returns.
    pub(super) fn write_body(&mut self, request: bool, body: &[u8]) {
        let Some(target) = self.body_target(request) else {
            self.ignored("body write", "no body data of that direction is at hand");
            return;
        };
        if let Err(status) = abi::set_buffer(buffer_type(request), 0, target.size, body) {
            self.refused("body write", status);
            return;
        }
        self.set_body_size(request, body.len());
        if body.len() != target.size {
            self.fix_content_length(request, target.end_of_stream, body.len());
        }
    }

    /// After a body change of size: while the headers are still held, the data is the whole
    /// body so far, so at end of stream its length is the new `content-length`; before the
    /// end the final length is unknown and the header is dropped (chunked).
    fn fix_content_length(&mut self, request: bool, end_of_stream: bool, len: usize) {
        let (writable, map) = if request {
            (
                self.state.request_headers_writable(),
                abi::MAP_REQUEST_HEADERS,
            )
        } else {
            (
                self.state.response_headers_writable(),
                abi::MAP_RESPONSE_HEADERS,
            )
        };
        if !writable || self.read_header(map, "content-length").is_none() {
            return;
        }
        let result = if end_of_stream {
            abi::replace_map_value(map, "content-length", &len.to_string())
        } else {
            abi::remove_map_value(map, "content-length")
        };
        if let Err(status) = result {
            self.refused("content-length update", status);
        }
    }
}

fn buffer_type(request: bool) -> u32 {
    if request {
        abi::BUFFER_REQUEST_BODY
    } else {
        abi::BUFFER_RESPONSE_BODY
    }
}
