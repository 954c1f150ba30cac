//! Server-sent-event responses: one chunk per word, flushed separately.

use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{self, Stream};
use hyper::body::Frame;
use serde_json::{Value, json};

use crate::respond::{CREATED, TOOL_CALL_TOKENS, reply_text, response_id, usage};
use crate::route::Api;
use crate::tools;
use crate::validate::{Input, Parsed, word_count};

/// The SSE events of a streaming chat or completions response, `data: [DONE]` included.
pub fn events(api: Api, backend: &str, parsed: &Parsed, body: &[u8]) -> Vec<Bytes> {
    let id = response_id(api, body);
    let text = reply_text(backend, &parsed.input);
    let words: Vec<&str> = text.split_whitespace().collect();
    let chunk = |choices: Value| -> Value {
        match api {
            Api::Chat => json!({
                "id": id, "object": "chat.completion.chunk", "created": CREATED,
                "model": parsed.model, "system_fingerprint": "fp_testupstream", "choices": choices,
            }),
            _ => json!({
                "id": id, "object": "text_completion", "created": CREATED,
                "model": parsed.model, "choices": choices,
            }),
        }
    };
    let choice = |delta: Value, finish: Value| -> Value {
        match api {
            Api::Chat => {
                json!([{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}])
            }
            _ => json!([{"index": 0, "text": delta, "logprobs": null, "finish_reason": finish}]),
        }
    };
    let mut out = Vec::with_capacity(words.len() + 4);
    if api == Api::Chat {
        out.push(chunk(choice(
            json!({"role": "assistant", "content": "", "refusal": null}),
            Value::Null,
        )));
    }
    if let (Some(name), Input::Chat { last_user }) = (&parsed.tool_call, &parsed.input) {
        // The call, then its arguments in two halves.
        let call = json!({"index": 0, "id": tools::call_id(&id), "type": "function",
            "function": {"name": name, "arguments": ""}});
        out.push(chunk(choice(json!({"tool_calls": [call]}), Value::Null)));
        let args = tools::arguments(last_user);
        let half = args
            .char_indices()
            .nth(args.chars().count() / 2)
            .map_or(0, |(i, _)| i);
        for piece in [&args[..half], &args[half..]] {
            let call = json!({"index": 0, "function": {"arguments": piece}});
            out.push(chunk(choice(json!({"tool_calls": [call]}), Value::Null)));
        }
        out.push(chunk(choice(json!({}), json!("tool_calls"))));
        return finish(out, parsed, chunk(json!([])), TOOL_CALL_TOKENS);
    }
    for (i, word) in words.iter().enumerate() {
        let piece = if i == 0 {
            (*word).to_string()
        } else {
            format!(" {word}")
        };
        let delta = match api {
            Api::Chat => json!({"content": piece}),
            _ => Value::String(piece),
        };
        out.push(chunk(choice(delta, Value::Null)));
    }
    let empty = match api {
        Api::Chat => json!({}),
        _ => Value::String(String::new()),
    };
    out.push(chunk(choice(empty, json!("stop"))));
    finish(out, parsed, chunk(json!([])), word_count(&text))
}

/// Adds the usage chunk (when asked for) and `[DONE]`, and frames the events.
fn finish(mut out: Vec<Value>, parsed: &Parsed, mut last: Value, completion: u64) -> Vec<Bytes> {
    if parsed.include_usage {
        last["usage"] = usage(parsed.prompt_tokens, completion);
        out.push(last);
    }
    let mut events: Vec<Bytes> = out
        .into_iter()
        .map(|v| Bytes::from(format!("data: {v}\n\n")))
        .collect();
    events.push(Bytes::from_static(b"data: [DONE]\n\n"));
    events
}

/// A body stream that yields each event as its own frame, pausing `delay` between events
/// (or yielding to the runtime when zero, so each event is written out on its own).
pub fn body_stream(
    events: Vec<Bytes>,
    delay: Duration,
) -> impl Stream<Item = Result<Frame<Bytes>, std::io::Error>> + Send {
    stream::unfold(
        (events.into_iter(), true),
        move |(mut iter, first)| async move {
            let event = iter.next()?;
            if !first {
                if delay.is_zero() {
                    tokio::task::yield_now().await;
                } else {
                    tokio::time::sleep(delay).await;
                }
            }
            Some((Ok(Frame::data(event)), (iter, false)))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(include_usage: bool) -> Parsed {
        Parsed {
            model: "m".into(),
            stream: true,
            include_usage,
            prompt_tokens: 5,
            tool_call: None,
            input: Input::Chat {
                last_user: "hi".into(),
            },
        }
    }

    fn json_events(events: &[Bytes]) -> Vec<Value> {
        events[..events.len() - 1]
            .iter()
            .map(|e| {
                let s = std::str::from_utf8(e).unwrap();
                let payload = s
                    .strip_prefix("data: ")
                    .unwrap()
                    .strip_suffix("\n\n")
                    .unwrap();
                serde_json::from_str(payload).unwrap()
            })
            .collect()
    }

    #[test]
    fn chat_stream_structure() {
        let events = events(Api::Chat, "be", &parsed(true), b"{}");
        assert_eq!(events.last().unwrap().as_ref(), b"data: [DONE]\n\n");
        let v = json_events(&events);
        assert_eq!(v[0]["choices"][0]["delta"]["role"], "assistant");
        let text: String = v[1..v.len() - 2]
            .iter()
            .map(|c| {
                c["choices"][0]["delta"]["content"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(text, "Hello from be! You said: hi");
        let finish = &v[v.len() - 2];
        assert_eq!(finish["choices"][0]["finish_reason"], "stop");
        let last = &v[v.len() - 1];
        assert_eq!(last["choices"], json!([]));
        assert_eq!(last["usage"]["prompt_tokens"], 5);
        assert_eq!(last["usage"]["completion_tokens"], 6);
    }

    #[test]
    fn no_usage_chunk_unless_asked() {
        let events = events(Api::Completions, "be", &parsed(false), b"{}");
        let v = json_events(&events);
        assert!(v.iter().all(|c| c.get("usage").is_none()));
        assert_eq!(v.last().unwrap()["choices"][0]["finish_reason"], "stop");
        assert_eq!(v[0]["choices"][0]["text"], "Hello");
    }
}
