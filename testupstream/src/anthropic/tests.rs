use super::respond::{complete, events};
use super::validate::parse;
use serde_json::{Value, json};

fn ok(v: Value) -> super::validate::Request {
    parse(v.to_string().as_bytes()).unwrap_or_else(|e| panic!("{v}: {}", e.message))
}

fn refused(v: Value) -> String {
    parse(v.to_string().as_bytes()).unwrap_err().message
}

fn user(text: &str) -> Value {
    json!({"role": "user", "content": text})
}

#[test]
fn accepts_a_full_tool_round_trip() {
    let r = ok(json!({
        "model": "claude", "max_tokens": 100, "system": [{"type": "text", "text": "Be nice"}],
        "tools": [{"name": "lookup", "input_schema": {"type": "object"}}],
        "tool_choice": {"type": "tool", "name": "lookup"},
        "messages": [
            user("please lookup cats"),
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "lookup", "input": {}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": "cats are great"},
                {"type": "text", "text": "thanks"}]},
        ],
    }));
    assert!(r.answers_tools);
    assert_eq!(r.last_user, "cats are great thanks");
    assert_eq!(r.input_tokens, 2 + 3 + 4);
}

#[test]
fn refuses_what_the_real_api_refuses() {
    let base = |extra: Value| {
        let mut v = json!({"model": "m", "max_tokens": 10, "messages": [user("hi")]});
        for (k, val) in extra.as_object().unwrap() {
            v[k] = val.clone();
        }
        v
    };
    assert!(refused(json!({"model": "m", "messages": [user("hi")]})).contains("max_tokens"));
    assert!(refused(json!({"max_tokens": 1, "messages": [user("hi")]})).contains("model"));
    assert!(refused(base(json!({"stream_options": {}}))).contains("Extra inputs"));
    assert!(refused(base(json!({"temperature": 1.5}))).contains("temperature"));
    assert!(
        refused(base(
            json!({"messages": [{"role": "assistant", "content": "x"}]})
        ))
        .contains("alternate")
    );
    assert!(refused(base(json!({"messages": [user("a"), user("b")]}))).contains("alternate"));
    assert!(
        refused(base(
            json!({"messages": [{"role": "system", "content": "x"}]})
        ))
        .contains("alternate")
    );
    assert!(
        refused(base(json!({"messages": [{"role": "user", "content": ""}]}))).contains("non-empty")
    );
    assert!(refused(base(json!({"messages": [user("a"),
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
        user("no result")]}))).contains("without tool_result"));
    assert!(
        refused(base(json!({"messages": [
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "zz"}]}]})))
        .contains("unexpected tool_use_id")
    );
    assert!(refused(base(json!({"messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/tiff", "data": "x"}}]}]}))).contains("media_type"));
    assert!(refused(base(json!({"tools": [{"name": "f"}]}))).contains("input_schema"));
    assert!(
        refused(base(json!({"tool_choice": {"type": "tool", "name": "g"}})))
            .contains("no tool named")
    );
    assert!(
        refused(base(
            json!({"thinking": {"type": "enabled", "budget_tokens": 100}})
        ))
        .contains("budget_tokens")
    );
}

#[test]
fn answers_text_or_a_tool_call() {
    let text =
        ok(json!({"model": "m", "max_tokens": 10, "messages": [user("hello there friend")]}));
    let v: Value = serde_json::from_slice(&complete("anth", &text, b"x")).unwrap();
    assert_eq!(
        v["content"][0]["text"],
        "Hello from anth! You said: hello there friend"
    );
    assert_eq!(v["stop_reason"], "end_turn");
    assert_eq!(v["usage"]["input_tokens"], 3);

    let tool = ok(
        json!({"model": "m", "max_tokens": 10, "messages": [user("use get_weather please")],
        "tools": [{"name": "get_weather", "input_schema": {"type": "object"}}]}),
    );
    let v: Value = serde_json::from_slice(&complete("anth", &tool, b"x")).unwrap();
    assert_eq!(v["stop_reason"], "tool_use");
    assert_eq!(v["content"][0]["name"], "get_weather");
    assert_eq!(
        v["content"][0]["input"],
        json!({"text": "use get_weather please"})
    );
}

#[test]
fn streams_events_in_order() {
    let r = ok(json!({"model": "m", "max_tokens": 10, "stream": true, "messages": [user("hi")]}));
    let names: Vec<String> = events("anth", &r, b"x", false)
        .iter()
        .map(|e| {
            let s = std::str::from_utf8(e).unwrap();
            s.lines()
                .next()
                .unwrap()
                .trim_start_matches("event: ")
                .to_string()
        })
        .collect();
    assert_eq!(names.first().unwrap(), "message_start");
    assert_eq!(names.last().unwrap(), "message_stop");
    assert!(names.contains(&"ping".to_string()));
    let failing = events("anth", &r, b"x", true);
    let last = std::str::from_utf8(failing.last().unwrap()).unwrap();
    assert!(last.starts_with("event: error\n"), "{last}");
}

#[test]
fn count_tokens_takes_no_max_tokens_or_stream() {
    use super::validate::parse_count;
    let body = json!({"model": "m", "system": "Be brief", "messages": [user("one two three")]});
    let r = parse_count(body.to_string().as_bytes()).unwrap();
    assert_eq!(r.input_tokens, 5);
    for extra in [json!({"max_tokens": 5}), json!({"stream": true})] {
        let mut v = body.clone();
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let e = parse_count(v.to_string().as_bytes()).unwrap_err();
        assert!(
            e.message.ends_with("Extra inputs are not permitted"),
            "{}",
            e.message
        );
    }
}
