use super::*;

fn err(kind: ApiKind, body: &str) -> OpenAiError {
    parse_request(kind, body.as_bytes()).unwrap_err()
}

#[test]
fn reads_chat_request() {
    let body =
        br#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true}"#;
    let v = parse_request(ApiKind::ChatCompletions, body).unwrap();
    assert_eq!(v.model, "gpt-4o-mini");
    assert!(matches!(v.model, Cow::Borrowed(_)));
    assert!(v.stream);
    assert!(v.stream_options.is_none());
    assert_eq!(body[v.object_end], b'}');
}

#[test]
fn reads_completions_and_embeddings() {
    let v = parse_request(
        ApiKind::Completions,
        br#"{"model":"m","prompt":["a","b"],"stream":null}"#,
    )
    .unwrap();
    assert!(!v.stream);
    let v = parse_request(ApiKind::Embeddings, b"{\"model\":\"e\",\"input\":\"x\"}\n").unwrap();
    assert_eq!(v.model, "e");
}

#[test]
fn reads_the_output_cap() {
    let chat = |extra: &str| {
        let body =
            format!(r#"{{"model":"m","messages":[{{"role":"user","content":"x"}}]{extra}}}"#);
        parse_request(ApiKind::ChatCompletions, body.as_bytes())
            .unwrap()
            .max_output_tokens
    };
    assert_eq!(chat(""), None);
    assert_eq!(chat(r#","max_tokens":64"#), Some(64));
    assert_eq!(
        chat(r#","max_tokens":64,"max_completion_tokens":32"#),
        Some(32)
    );
    assert_eq!(chat(r#","max_tokens":-1"#), None);
    assert_eq!(chat(r#","max_tokens":"64""#), None);
}

#[test]
fn malformed_json_names_line_and_column() {
    let e = err(
        ApiKind::ChatCompletions,
        "{\"model\": \"m\",\n \"messages\": [}",
    );
    assert_eq!(e.status, 400);
    assert!(
        e.message
            .starts_with("We could not parse the JSON body of your request: ")
    );
    assert!(e.message.contains("line 2 column"), "{}", e.message);
    assert_eq!(e.param, None);
    let e = err(ApiKind::ChatCompletions, "");
    assert!(e.message.contains("EOF"), "{}", e.message);
}

#[test]
fn body_must_be_an_object() {
    let e = err(ApiKind::ChatCompletions, "[1,2]");
    assert_eq!(
        e.message,
        "The request body must be a JSON object, but got an array instead."
    );
    assert_eq!(
        err(ApiKind::Embeddings, " 42").message,
        "The request body must be a JSON object, but got a number instead."
    );
}

#[test]
fn model_checks() {
    let e = err(ApiKind::ChatCompletions, r#"{"messages":[{}]}"#);
    assert_eq!(e.message, "you must provide a model parameter");
    assert_eq!(e.param, Some("model"));
    let e = err(ApiKind::ChatCompletions, r#"{"model":4,"messages":[{}]}"#);
    assert_eq!(
        e.message,
        "Invalid type for 'model': expected a string, but got an integer instead."
    );
    let e = err(ApiKind::ChatCompletions, r#"{"model":"","messages":[{}]}"#);
    assert!(e.message.starts_with("Invalid 'model': empty string."));
    let e = err(
        ApiKind::ChatCompletions,
        r#"{"model":"a\nb","messages":[{}]}"#,
    );
    assert_eq!(e.param, Some("model"));
    assert!(e.message.contains("control characters"));
}

#[test]
fn escaped_model_is_decoded() {
    let v = parse_request(
        ApiKind::Embeddings,
        br#"{"model":"gpt\u002d4","input":"x"}"#,
    )
    .unwrap();
    assert_eq!(v.model, "gpt-4");
}

#[test]
fn messages_checks() {
    let e = err(ApiKind::ChatCompletions, r#"{"model":"m"}"#);
    assert_eq!(e.message, "Missing required parameter: 'messages'.");
    assert_eq!(e.param, Some("messages"));
    let e = err(ApiKind::ChatCompletions, r#"{"model":"m","messages":"hi"}"#);
    assert_eq!(
        e.message,
        "Invalid type for 'messages': expected an array of objects, but got a string instead."
    );
    let e = err(ApiKind::ChatCompletions, r#"{"model":"m","messages":[ ]}"#);
    assert!(e.message.starts_with("Invalid 'messages': empty array."));
}

#[test]
fn prompt_and_input_checks() {
    let e = err(ApiKind::Completions, r#"{"model":"m"}"#);
    assert_eq!(e.message, "Missing required parameter: 'prompt'.");
    assert_eq!(e.param, Some("prompt"));
    let e = err(ApiKind::Completions, r#"{"model":"m","prompt":null}"#);
    assert_eq!(
        e.message,
        "Invalid type for 'prompt': expected a string or an array, but got null instead."
    );
    let e = err(ApiKind::Embeddings, r#"{"model":"m"}"#);
    assert_eq!(e.message, "Missing required parameter: 'input'.");
    assert_eq!(e.param, Some("input"));
}

#[test]
fn stream_checks() {
    let e = err(
        ApiKind::ChatCompletions,
        r#"{"model":"m","messages":[{}],"stream":"yes"}"#,
    );
    assert_eq!(
        e.message,
        "Invalid type for 'stream': expected a boolean, but got a string instead."
    );
    assert_eq!(e.param, Some("stream"));
    let e = err(
        ApiKind::ChatCompletions,
        r#"{"model":"m","messages":[{}],"stream":true,"stream_options":[]}"#,
    );
    assert_eq!(e.param, Some("stream_options"));
}

#[test]
fn invalid_utf8_is_refused_even_in_members_not_read() {
    // Found by the openai_request fuzz target: serde_json skips ignored strings unchecked.
    let body = b"{\"model\":\"m\",\"user\":\"a\xffb\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    let e = parse_request(ApiKind::ChatCompletions, body).unwrap_err();
    assert_eq!(e.status, 400);
    assert_eq!(
        e.message,
        "We could not parse the JSON body of your request: invalid UTF-8 at byte 22."
    );
}
