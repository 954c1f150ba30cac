//! Usage of a streamed (`text/event-stream`) response: each chunk is parsed as it passes
//! through; only a partial event is held between chunks.

use aigw_core::sse::SseParser;
use aigw_core::usage::{ResponseUsage, StreamUsage, TokenUsage};
use aigw_host::{Host, LogLevel};
use std::time::SystemTime;

/// Parsing state of one streamed response.
#[derive(Debug, Default)]
pub(crate) struct StreamingBody {
    parser: SseParser,
    events: EventReader,
    /// The SSE framing broke; the rest of the stream is not parsed.
    failed: bool,
}

/// What the stream's events said so far.
#[derive(Debug, Default)]
struct EventReader {
    usage: StreamUsage,
    /// When the first event carrying output arrived.
    first_token: Option<SystemTime>,
    /// A malformed event was already logged.
    logged_bad_event: bool,
}

impl EventReader {
    fn read(&mut self, data: &[u8], host: &dyn Host) {
        match self.usage.on_event_data(data) {
            Ok(true) if self.first_token.is_none() => self.first_token = Some(host.now()),
            Ok(_) => {}
            Err(e) if !self.logged_bad_event => {
                self.logged_bad_event = true;
                host.log(
                    LogLevel::Debug,
                    &format!("token-usage: skipping SSE event: {e}"),
                );
            }
            Err(_) => {}
        }
    }
}

impl StreamingBody {
    /// Parses one chunk of the stream.
    pub fn push(&mut self, chunk: &[u8], host: &dyn Host) {
        if self.failed {
            return;
        }
        let events = &mut self.events;
        let result = self
            .parser
            .feed(chunk, |event| events.read(event.data, host));
        if let Err(e) = result {
            self.fail(&e.to_string(), host);
        }
    }

    /// Ends parsing and returns what the stream reported. `complete` is true when the
    /// stream reached its end (a last unterminated event is then read too), false when it
    /// was cut short (client gone, upstream reset): then, if no usage arrived, the output
    /// events that passed count as output tokens, so what the client received is charged.
    pub fn finish(&mut self, complete: bool, host: &dyn Host) -> ResponseUsage {
        if complete && !self.failed {
            let events = &mut self.events;
            let result = self.parser.finish(|event| events.read(event.data, host));
            if let Err(e) = result {
                self.fail(&e.to_string(), host);
            }
        }
        let streamed = self.events.usage.output_chunks();
        let mut usage = self.events.usage.take();
        if !complete && usage.usage.is_none() && streamed > 0 {
            host.log(
                LogLevel::Debug,
                &format!("token-usage: stream cut short before its usage; counting {streamed} output chunks as output tokens"),
            );
            usage.usage = Some(TokenUsage {
                output_tokens: streamed,
                total_tokens: streamed,
                ..TokenUsage::default()
            });
        }
        usage
    }

    /// When the first output token arrived, if it did.
    pub fn first_token(&self) -> Option<SystemTime> {
        self.events.first_token
    }

    fn fail(&mut self, reason: &str, host: &dyn Host) {
        self.failed = true;
        host.log(
            LogLevel::Warn,
            &format!("token-usage: {reason}; usage of the rest of this stream is not read"),
        );
    }
}
