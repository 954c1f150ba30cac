//! Where a stream is, as far as the host calls it allows are concerned. Envoy answers a
//! call made in the wrong state with an error status (and the SDK would panic on it), so
//! the adapter checks this state first and ignores + logs calls it cannot honour.

/// The callback currently running on a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Between callbacks (or in a callout answer).
    Idle,
    /// `on_request_headers`.
    RequestHeaders,
    /// `on_request_body`; `size` is the data the callback covers.
    RequestBody { size: usize, end_of_stream: bool },
    /// `on_response_headers`.
    ResponseHeaders,
    /// `on_response_body`; `size` is the data the callback covers.
    ResponseBody { size: usize, end_of_stream: bool },
}

/// Body data Envoy holds for the filter (after a stop status), as the filter last left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    /// Bytes held.
    pub size: usize,
    /// The held data is the whole body.
    pub end_of_stream: bool,
}

/// Per-stream facts the adapter tracks.
#[derive(Debug)]
pub struct StreamState {
    /// Callback in progress.
    pub phase: Phase,
    /// Request headers went on to the next filter: they can no longer be changed.
    pub request_headers_sent: bool,
    /// Response headers arrived at this filter.
    pub response_headers_received: bool,
    /// Response headers went on towards the client.
    pub response_headers_sent: bool,
    /// The request is held by this filter (a callback returned a stop status).
    pub request_paused: bool,
    /// The response is held by this filter.
    pub response_paused: bool,
    /// This filter answered the client itself.
    pub local_reply_sent: bool,
    /// The filter waits for the rest of the request body (it stopped the headers or
    /// buffered); the value is the size of the data Envoy holds for it so far.
    pub request_awaiting_body: Option<usize>,
    /// As `request_awaiting_body`, for the response.
    pub response_awaiting_body: Option<usize>,
    /// Request body data held after a body callback returned a stop status.
    pub request_held: Option<Held>,
    /// As `request_held`, for the response.
    pub response_held: Option<Held>,
    /// The stream ended; only reads and metadata are still meaningful.
    pub complete: bool,
    /// proxy-wasm context id of the stream (what a waker wakes).
    pub context_id: u32,
}

impl Default for StreamState {
    fn default() -> Self {
        Self {
            phase: Phase::Idle,
            request_headers_sent: false,
            response_headers_received: false,
            response_headers_sent: false,
            request_paused: false,
            response_paused: false,
            local_reply_sent: false,
            request_awaiting_body: None,
            response_awaiting_body: None,
            request_held: None,
            response_held: None,
            complete: false,
            context_id: 0,
        }
    }
}

impl StreamState {
    /// Request headers may still be changed.
    pub fn request_headers_writable(&self) -> bool {
        !self.request_headers_sent && !self.local_reply_sent && !self.complete
    }

    /// Response headers may still be changed.
    pub fn response_headers_writable(&self) -> bool {
        self.response_headers_received && !self.response_headers_sent && !self.complete
    }

    /// Body data held for one direction (`true`: request).
    pub fn held(&self, request: bool) -> Option<Held> {
        if request {
            self.request_held
        } else {
            self.response_held
        }
    }

    /// As [`StreamState::held`], to update it.
    pub fn held_mut(&mut self, request: bool) -> &mut Option<Held> {
        if request {
            &mut self.request_held
        } else {
            &mut self.response_held
        }
    }

    /// The filter may still answer the client.
    pub fn can_send_local_reply(&self) -> bool {
        !self.local_reply_sent && !self.response_headers_sent && !self.complete
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_headers_are_writable_until_sent_or_answered() {
        let mut state = StreamState::default();
        assert!(state.request_headers_writable());
        state.local_reply_sent = true;
        assert!(!state.request_headers_writable());
        let state = StreamState {
            request_headers_sent: true,
            ..StreamState::default()
        };
        assert!(!state.request_headers_writable());
    }

    #[test]
    fn response_headers_are_writable_only_between_arrival_and_sending() {
        let mut state = StreamState::default();
        assert!(!state.response_headers_writable());
        state.response_headers_received = true;
        assert!(state.response_headers_writable());
        state.response_headers_sent = true;
        assert!(!state.response_headers_writable());
    }

    #[test]
    fn one_local_reply_and_none_after_the_response_started_or_the_stream_ended() {
        let mut state = StreamState::default();
        assert!(state.can_send_local_reply());
        state.local_reply_sent = true;
        assert!(!state.can_send_local_reply());
        let state = StreamState {
            response_headers_sent: true,
            ..StreamState::default()
        };
        assert!(!state.can_send_local_reply());
        let state = StreamState {
            complete: true,
            ..StreamState::default()
        };
        assert!(!state.can_send_local_reply());
    }
}
