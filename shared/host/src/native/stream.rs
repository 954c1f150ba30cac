//! One stream's filter and the logic of each stream hook.
//!
//! Envoy re-enters a filter's hooks synchronously in some cases (a local reply runs the
//! response hooks of the same filter before `send_response` returns; a callout can fail
//! inline). A re-entered hook never touches the filter: headers/body hooks pass through,
//! and a callout result is queued and delivered once the outer hook returns.

use super::abi::{self, FilterEnvoyPtr};
use super::body::Direction;
use super::guard::contain_stream;
use super::host::NativeHost;
use super::state::{Phase, Shared, StreamState};
use crate::{BodyStatus, CalloutResult, Filter, HeadersStatus, Host};
use std::cell::{Cell, RefCell, UnsafeCell};
use std::sync::Arc;

struct Inner<F> {
    filter: F,
    state: StreamState,
}

/// The module-side object behind `envoy_dynamic_module_type_http_filter_module_ptr`.
pub struct Stream<F> {
    shared: Arc<Shared>,
    busy: Cell<bool>,
    pending_callouts: RefCell<Vec<(u32, CalloutResult)>>,
    inner: UnsafeCell<Inner<F>>,
}

impl<F: Filter> Stream<F> {
    /// Wraps a freshly created filter.
    pub fn new(filter: F, shared: Arc<Shared>) -> Self {
        Self {
            shared,
            busy: Cell::new(false),
            pending_callouts: RefCell::new(Vec::new()),
            inner: UnsafeCell::new(Inner {
                filter,
                state: StreamState::default(),
            }),
        }
    }

    /// The filter's name, for log lines.
    pub fn name(&self) -> &'static str {
        self.shared.name
    }

    /// Runs `f` with exclusive access to the filter state, unless a hook of this stream is
    /// already running (then returns `None`). Queued callout results are delivered after.
    fn enter<R>(&self, envoy: FilterEnvoyPtr, f: impl FnOnce(&mut Inner<F>) -> R) -> Option<R> {
        if self.busy.replace(true) {
            return None;
        }
        // SAFETY: `busy` guarantees no other reference into `inner` exists.
        let inner = unsafe { &mut *self.inner.get() };
        let result = f(inner);
        loop {
            let pending = std::mem::take(&mut *self.pending_callouts.borrow_mut());
            if pending.is_empty() {
                break;
            }
            for (token, outcome) in pending {
                self.call(inner, envoy, "on_callout_done", Phase::Other, |f, h| {
                    f.on_callout_done(h, token, outcome)
                });
            }
        }
        self.busy.set(false);
        Some(result)
    }

    /// Calls the filter through a host handle, with panic containment; `None` when the
    /// filter panicked now or earlier.
    fn call<R>(
        &self,
        inner: &mut Inner<F>,
        envoy: FilterEnvoyPtr,
        hook: &str,
        phase: Phase,
        f: impl FnOnce(&mut F, &mut dyn Host) -> R,
    ) -> Option<R> {
        if inner.state.poisoned {
            return None;
        }
        let shared = &*self.shared;
        let filter = &mut inner.filter;
        contain_stream(shared.name, hook, envoy, &mut inner.state, |state| {
            let mut host = NativeHost {
                envoy,
                state,
                shared,
                phase,
            };
            f(filter, &mut host)
        })
    }

    /// `on_http_filter_request_headers` / `on_http_filter_response_headers`.
    pub fn headers(&self, envoy: FilterEnvoyPtr, dir: Direction, end_of_stream: bool) -> u32 {
        self.enter(envoy, |inner| {
            let replied_before = inner.state.local_reply_sent;
            set_open(&mut inner.state, dir, true);
            set_end(&mut inner.state, dir, end_of_stream);
            let status = self.call(
                inner,
                envoy,
                headers_hook(dir),
                Phase::Other,
                |f, h| match dir {
                    Direction::Request => f.on_request_headers(h, end_of_stream),
                    Direction::Response => f.on_response_headers(h, end_of_stream),
                },
            );
            let stop = (inner.state.local_reply_sent && !replied_before)
                || status == Some(HeadersStatus::StopIteration);
            if stop {
                abi::HEADERS_STOP_ITERATION
            } else {
                passed_on(&mut inner.state, dir);
                abi::HEADERS_CONTINUE
            }
        })
        .unwrap_or(abi::HEADERS_CONTINUE)
    }

    /// `on_http_filter_request_body` / `on_http_filter_response_body`.
    pub fn body(&self, envoy: FilterEnvoyPtr, dir: Direction, end_of_stream: bool) -> u32 {
        self.enter(envoy, |inner| {
            let status = self.body_call(inner, envoy, dir, Phase::Body(dir), end_of_stream);
            match status {
                BodyStatus::Continue => abi::BODY_CONTINUE,
                BodyStatus::StopAndBuffer => abi::BODY_STOP_AND_BUFFER,
                BodyStatus::StopNoBuffer => abi::BODY_STOP_NO_BUFFER,
            }
        })
        .unwrap_or(abi::BODY_CONTINUE)
    }

    /// `on_http_filter_request_trailers` / `on_http_filter_response_trailers`: trailers end
    /// the stream, so a filter that has not seen the end of the body gets a last body
    /// callback (covering the buffered body) with `end_of_stream = true`.
    pub fn trailers(&self, envoy: FilterEnvoyPtr, dir: Direction) -> u32 {
        self.enter(envoy, |inner| {
            let seen = match dir {
                Direction::Request => inner.state.request_end_seen,
                Direction::Response => inner.state.response_end_seen,
            };
            if seen {
                return abi::TRAILERS_CONTINUE;
            }
            match self.body_call(inner, envoy, dir, Phase::Other, true) {
                BodyStatus::Continue => abi::TRAILERS_CONTINUE,
                BodyStatus::StopAndBuffer | BodyStatus::StopNoBuffer => {
                    abi::TRAILERS_STOP_ITERATION
                }
            }
        })
        .unwrap_or(abi::TRAILERS_CONTINUE)
    }

    fn body_call(
        &self,
        inner: &mut Inner<F>,
        envoy: FilterEnvoyPtr,
        dir: Direction,
        phase: Phase,
        end_of_stream: bool,
    ) -> BodyStatus {
        let replied_before = inner.state.local_reply_sent;
        set_end(&mut inner.state, dir, end_of_stream);
        let status = self.call(inner, envoy, body_hook(dir), phase, |f, h| match dir {
            Direction::Request => f.on_request_body(h, end_of_stream),
            Direction::Response => f.on_response_body(h, end_of_stream),
        });
        if inner.state.local_reply_sent && !replied_before {
            return BodyStatus::StopNoBuffer;
        }
        let status = status.unwrap_or(BodyStatus::Continue);
        if status == BodyStatus::Continue {
            passed_on(&mut inner.state, dir);
        }
        status
    }

    /// `on_http_filter_http_callout_done`.
    pub fn callout_done(&self, envoy: FilterEnvoyPtr, token: u32, outcome: CalloutResult) {
        if self.busy.get() {
            self.pending_callouts.borrow_mut().push((token, outcome));
            return;
        }
        self.enter(envoy, |inner| {
            self.call(inner, envoy, "on_callout_done", Phase::Other, |f, h| {
                f.on_callout_done(h, token, outcome)
            });
        });
    }

    /// `on_http_filter_scheduled` for a wake. A wake arriving while a hook of this stream
    /// runs (it cannot: Envoy posts it to the dispatcher) would be dropped, never nested.
    pub fn wake(&self, envoy: FilterEnvoyPtr) {
        self.enter(envoy, |inner| {
            self.call(inner, envoy, "on_wake", Phase::Other, |f, h| f.on_wake(h));
        });
    }

    /// `on_http_filter_stream_complete`.
    pub fn complete(&self, envoy: FilterEnvoyPtr) {
        self.enter(envoy, |inner| {
            self.call(inner, envoy, "on_stream_complete", Phase::Other, |f, h| {
                f.on_stream_complete(h)
            });
        });
    }
}

fn headers_hook(dir: Direction) -> &'static str {
    match dir {
        Direction::Request => "on_request_headers",
        Direction::Response => "on_response_headers",
    }
}

fn body_hook(dir: Direction) -> &'static str {
    match dir {
        Direction::Request => "on_request_body",
        Direction::Response => "on_response_body",
    }
}

fn set_open(state: &mut StreamState, dir: Direction, open: bool) {
    match dir {
        Direction::Request => state.request_headers_open = open,
        Direction::Response => state.response_headers_open = open,
    }
}

fn set_end(state: &mut StreamState, dir: Direction, end_of_stream: bool) {
    match dir {
        Direction::Request => state.request_end_seen |= end_of_stream,
        Direction::Response => state.response_end_seen |= end_of_stream,
    }
}

/// The headers of `dir` went on to the next filter.
fn passed_on(state: &mut StreamState, dir: Direction) {
    set_open(state, dir, false);
    if dir == Direction::Response {
        state.response_headers_sent = true;
    }
}
