//! The per-stream context: drives a [`Filter`] from proxy-wasm's HTTP callbacks and maps
//! its statuses to proxy-wasm actions, keeping the stream state the host checks.

use super::abi;
use super::host::WasmHost;
use super::root::Plugin;
use super::state::{Held, Phase, StreamState};
use super::wake::{self, Wakeable};
use crate::{BodyStatus, CalloutResponse, CalloutResult, Filter, FilterFactory, HeadersStatus};
use proxy_wasm::traits::{Context, HttpContext};
use proxy_wasm::types::Action;
use std::cell::RefCell;
use std::rc::Rc;

/// The proxy-wasm context of one stream: the [`Stream`] behind a shared cell, so that
/// another stream's callback can wake it, and the wake queue drained after each callback.
pub struct StreamContext<F: FilterFactory> {
    id: u32,
    stream: Rc<RefCell<Stream<F>>>,
}

impl<F: FilterFactory> StreamContext<F> {
    /// The context `id` of a configured plugin, or a pass-through one when there is none.
    pub fn new(id: u32, plugin: Option<Rc<Plugin<F>>>) -> Self {
        let stream = Rc::new(RefCell::new(Stream::new(plugin)));
        stream.borrow_mut().state.context_id = id;
        let target: Rc<RefCell<dyn Wakeable>> = stream.clone();
        wake::register(id, Rc::downgrade(&target));
        Self { id, stream }
    }

    /// Runs one callback on the stream, then delivers the wakes it queued.
    fn with<T>(&self, f: impl FnOnce(&mut Stream<F>) -> T) -> T {
        let result = f(&mut self.stream.borrow_mut());
        wake::drain(self.id);
        result
    }
}

impl<F: FilterFactory> Drop for StreamContext<F> {
    fn drop(&mut self) {
        wake::unregister(self.id);
    }
}

impl<F: FilterFactory> Wakeable for Stream<F> {
    fn wake(&mut self) {
        if self.state.complete {
            return;
        }
        self.run(Phase::Idle, |filter, host| filter.on_wake(host));
    }
}

/// One HTTP stream of a plugin.
pub struct Stream<F: FilterFactory> {
    active: Option<(Rc<Plugin<F>>, F::Filter)>,
    state: StreamState,
}

/// Which way a callback goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Request,
    Response,
}

impl<F: FilterFactory> Stream<F> {
    /// A stream of a configured plugin, or a pass-through one when there is none.
    pub fn new(plugin: Option<Rc<Plugin<F>>>) -> Self {
        let active = plugin.map(|plugin| {
            let filter = plugin.factory.create_filter();
            (plugin, filter)
        });
        Self {
            active,
            state: StreamState::default(),
        }
    }

    /// Runs one filter callback in `phase`; `None` when there is no filter. Also returns
    /// the phase as the callback left it (a body callback's size follows body changes).
    fn run<T>(
        &mut self,
        phase: Phase,
        call: impl FnOnce(&mut F::Filter, &mut WasmHost<'_>) -> T,
    ) -> Option<(T, Phase)> {
        let (plugin, filter) = self.active.as_mut()?;
        self.state.phase = phase;
        let mut host = WasmHost {
            state: &mut self.state,
            metrics: &plugin.metrics,
        };
        let result = call(filter, &mut host);
        Some((
            result,
            std::mem::replace(&mut self.state.phase, Phase::Idle),
        ))
    }

    fn awaiting_body(&mut self, direction: Direction) -> &mut Option<usize> {
        match direction {
            Direction::Request => &mut self.state.request_awaiting_body,
            Direction::Response => &mut self.state.response_awaiting_body,
        }
    }

    /// Turns a filter's decision into an action and records what it means for the stream.
    fn settle(&mut self, direction: Direction, stop: bool, replied_before: bool) -> Action {
        if self.state.local_reply_sent && !replied_before {
            // The filter answered the client in this callback: nothing more goes upstream.
            return Action::Pause;
        }
        let (paused, headers_sent) = match direction {
            Direction::Request => (
                &mut self.state.request_paused,
                &mut self.state.request_headers_sent,
            ),
            Direction::Response => (
                &mut self.state.response_paused,
                &mut self.state.response_headers_sent,
            ),
        };
        *paused = stop;
        if stop {
            Action::Pause
        } else {
            *headers_sent = true;
            Action::Continue
        }
    }

    /// The response is this filter's own local reply, which it does not see (as on the
    /// native host, where Envoy bypasses the replying filter).
    fn own_reply(&self, direction: Direction) -> bool {
        direction == Direction::Response && self.state.local_reply_sent
    }

    fn headers(&mut self, direction: Direction, end_of_stream: bool) -> Action {
        if self.own_reply(direction) {
            return Action::Continue;
        }
        let replied_before = self.state.local_reply_sent;
        let phase = match direction {
            Direction::Request => Phase::RequestHeaders,
            Direction::Response => {
                self.state.response_headers_received = true;
                Phase::ResponseHeaders
            }
        };
        let status = self.run(phase, |filter, host| match direction {
            Direction::Request => filter.on_request_headers(host, end_of_stream),
            Direction::Response => filter.on_response_headers(host, end_of_stream),
        });
        let stop = matches!(status, Some((HeadersStatus::StopIteration, _)));
        *self.awaiting_body(direction) = (stop && !end_of_stream).then_some(0);
        self.settle(direction, stop, replied_before)
    }

    fn body(&mut self, direction: Direction, size: usize, end_of_stream: bool) -> Action {
        if self.own_reply(direction) {
            return Action::Continue;
        }
        let replied_before = self.state.local_reply_sent;
        let phase = match direction {
            Direction::Request => Phase::RequestBody {
                size,
                end_of_stream,
            },
            Direction::Response => Phase::ResponseBody {
                size,
                end_of_stream,
            },
        };
        let outcome = self.run(phase, |filter, host| match direction {
            Direction::Request => filter.on_request_body(host, end_of_stream),
            Direction::Response => filter.on_response_body(host, end_of_stream),
        });
        let held = match outcome {
            Some((
                BodyStatus::StopAndBuffer | BodyStatus::StopNoBuffer,
                Phase::RequestBody { size, .. } | Phase::ResponseBody { size, .. },
            )) => Some(Held {
                size,
                end_of_stream,
            }),
            _ => None,
        };
        *self.state.held_mut(direction == Direction::Request) = held;
        *self.awaiting_body(direction) = match outcome {
            Some((BodyStatus::StopAndBuffer, Phase::RequestBody { size, .. }))
            | Some((BodyStatus::StopAndBuffer, Phase::ResponseBody { size, .. }))
                if !end_of_stream =>
            {
                Some(size)
            }
            _ => None,
        };
        // StopAndBuffer and StopNoBuffer both pause; Envoy keeps the data buffered either
        // way, and the filter resumes a StopNoBuffer with continue_request/response.
        let stop = matches!(
            outcome,
            Some((BodyStatus::StopAndBuffer | BodyStatus::StopNoBuffer, _))
        );
        self.settle(direction, stop, replied_before)
    }

    /// Trailers end the stream without a body callback marked `end_of_stream`: a filter
    /// waiting for the whole body gets that last body callback now, over the held data.
    fn trailers(&mut self, direction: Direction) -> Action {
        if self.own_reply(direction) {
            return Action::Continue;
        }
        match self.awaiting_body(direction).take() {
            Some(size) => self.body(direction, size, true),
            None => {
                let paused = match direction {
                    Direction::Request => self.state.request_paused,
                    Direction::Response => self.state.response_paused,
                };
                if paused {
                    Action::Pause
                } else {
                    Action::Continue
                }
            }
        }
    }

    fn complete(&mut self) {
        if self.state.complete {
            return;
        }
        // Marked first: in this last callback only reads, metadata, metrics and logs act.
        self.state.complete = true;
        self.run(Phase::Idle, |filter, host| filter.on_stream_complete(host));
    }
}

/// Reads a callout answer; Envoy reports a failed callout (reset, timeout, no upstream) as
/// an answer without headers.
fn callout_result(num_headers: usize, body_size: usize) -> CalloutResult {
    if num_headers == 0 {
        return Err("callout failed: reset, timeout or no healthy upstream".to_string());
    }
    let headers = abi::get_map(abi::MAP_CALLOUT_RESPONSE_HEADERS)
        .map_err(|status| format!("callout response headers unreadable: {status}"))?;
    let body = abi::get_buffer(abi::BUFFER_CALLOUT_RESPONSE_BODY, 0, body_size)
        .map_err(|status| format!("callout response body unreadable: {status}"))?;
    let status = headers
        .iter()
        .find(|(name, _)| name == ":status")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    Ok(CalloutResponse {
        status,
        headers,
        body,
    })
}

impl<F: FilterFactory> Stream<F> {
    fn callout_response(&mut self, token_id: u32, num_headers: usize, body_size: usize) {
        if self.state.complete {
            return;
        }
        let result = callout_result(num_headers, body_size);
        self.run(Phase::Idle, |filter, host| {
            filter.on_callout_done(host, token_id, result)
        });
    }
}

impl<F: FilterFactory> Context for StreamContext<F> {
    fn on_http_call_response(
        &mut self,
        token_id: u32,
        num_headers: usize,
        body_size: usize,
        _num_trailers: usize,
    ) {
        self.with(|s| s.callout_response(token_id, num_headers, body_size));
    }

    fn on_done(&mut self) -> bool {
        self.with(|s| s.complete());
        true
    }
}

impl<F: FilterFactory> HttpContext for StreamContext<F> {
    fn on_http_request_headers(&mut self, _num_headers: usize, end_of_stream: bool) -> Action {
        self.with(|s| s.headers(Direction::Request, end_of_stream))
    }

    fn on_http_request_body(&mut self, body_size: usize, end_of_stream: bool) -> Action {
        self.with(|s| s.body(Direction::Request, body_size, end_of_stream))
    }

    fn on_http_request_trailers(&mut self, _num_trailers: usize) -> Action {
        self.with(|s| s.trailers(Direction::Request))
    }

    fn on_http_response_headers(&mut self, _num_headers: usize, end_of_stream: bool) -> Action {
        self.with(|s| s.headers(Direction::Response, end_of_stream))
    }

    fn on_http_response_body(&mut self, body_size: usize, end_of_stream: bool) -> Action {
        self.with(|s| s.body(Direction::Response, body_size, end_of_stream))
    }

    fn on_http_response_trailers(&mut self, _num_trailers: usize) -> Action {
        self.with(|s| s.trailers(Direction::Response))
    }

    fn on_log(&mut self) {
        self.with(|s| s.complete());
    }
}
