use super::*;

const CHAT: &[u8] = br#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello there, how are you?"}]}"#;

#[test]
fn chat_reserves_the_tokenizer_estimate_plus_the_output_cap() {
    let prompt = estimate_chat_request(CHAT).unwrap();
    // "Hello there, how are you?" is 7 o200k tokens, "user" 1; 3 per message, 3 to prime
    // the reply.
    assert_eq!(prompt, 7 + 1 + 3 + 3);
    assert_eq!(
        reserved_tokens(ApiKind::ChatCompletions, CHAT, Some(50), 256),
        prompt + 50
    );
    assert_eq!(
        reserved_tokens(ApiKind::ChatCompletions, CHAT, None, 1000),
        prompt + 1000
    );
    assert_eq!(
        reserved_tokens(ApiKind::ChatCompletions, CHAT, Some(u64::MAX), 0),
        u64::MAX
    );
}

#[test]
fn completions_and_embeddings_count_every_input_form() {
    let text = br#"{"model":"gpt-3.5-turbo-instruct","prompt":"Hello there"}"#;
    assert_eq!(
        reserved_tokens(ApiKind::Completions, text, Some(5), 256),
        2 + 5
    );
    let many = br#"{"model":"text-embedding-3-small","input":["Hello there","Hello"]}"#;
    assert_eq!(reserved_tokens(ApiKind::Embeddings, many, Some(9), 256), 3);
    let ids = br#"{"model":"text-embedding-3-small","input":[[1,2,3],[4]]}"#;
    assert_eq!(reserved_tokens(ApiKind::Embeddings, ids, None, 256), 4);
    let flat_ids = br#"{"model":"davinci-002","prompt":[1,2,3]}"#;
    assert_eq!(
        reserved_tokens(ApiKind::Completions, flat_ids, None, 10),
        13
    );
}

#[test]
fn unreadable_prompt_falls_back_to_a_quarter_of_the_body() {
    let body = br#"{"model":"gpt-4o","messages":"not an array"}"#;
    assert_eq!(
        reserved_tokens(ApiKind::ChatCompletions, body, Some(1), 256),
        (body.len() as u64).div_ceil(4) + 1
    );
    assert_eq!(reserved_tokens(ApiKind::Embeddings, b"{}", None, 256), 1);
}

#[test]
fn warm_up_loads_both_encodings() {
    warm_up();
    assert_eq!(Encoding::Cl100kBase.count("Hello there"), 2);
}

#[test]
fn anthropic_messages_reserve_system_messages_and_max_tokens() {
    let body = br#"{"model":"claude-sonnet-4-5","max_tokens":40,"system":"Be brief.","messages":[{"role":"user","content":[{"type":"text","text":"Hello there"}]}]}"#;
    // "Be brief." 3 o200k tokens, "Hello there" 2, "user" 1; 3 per message (the system
    // prompt counted as one), 3 to prime the reply.
    assert_eq!(reserved_tokens_anthropic(body), 3 + 3 + 2 + 1 + 3 + 3 + 40);
    assert_eq!(reserved_tokens_anthropic(b"[]"), 1);
}

#[test]
fn responses_reserve_instructions_input_and_max_output_tokens() {
    let o200k = Encoding::O200kBase;
    let text = br#"{"model":"gpt-4.1","input":"Hello there, how are you?","max_output_tokens":40}"#;
    // 3 to prime the reply, 3 for the input message and its 7 tokens, then the cap.
    assert_eq!(reserved_tokens_responses(text, 256), 3 + 3 + 7 + 40);

    let items = br#"{"model":"gpt-4.1","instructions":"Be brief.","input":[
        {"role":"user","content":[{"type":"input_text","text":"Hello there, how are you?"}]},
        {"type":"function_call_output","call_id":"c1","output":"sunny"}]}"#;
    let instructions = 3 + o200k.count("Be brief.");
    let user = 3 + o200k.count("user") + 7;
    let call_output = 3 + ["function_call_output", "c1", "sunny"]
        .iter()
        .map(|t| o200k.count(t))
        .sum::<u64>();
    assert_eq!(
        reserved_tokens_responses(items, 100),
        3 + instructions + user + call_output + 100
    );
}

#[test]
fn responses_function_tools_are_counted_like_chat_tools() {
    let function = r#"{"name":"get_weather","description":"Weather of a city.","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}"#;
    let chat = format!(
        r#"{{"model":"gpt-4o","messages":[],"tools":[{{"type":"function","function":{function}}}]}}"#
    );
    let flat = &function[1..function.len() - 1];
    let responses = format!(
        r#"{{"model":"gpt-4o","input":[],"tools":[{{"type":"function",{flat}}},{{"type":"web_search_preview"}}]}}"#
    );
    let chat_prompt = estimate_chat_request(chat.as_bytes()).unwrap();
    assert!(chat_prompt > 3 + 12, "{chat_prompt}");
    assert_eq!(
        reserved_tokens_responses(responses.as_bytes(), 0),
        chat_prompt
    );
}

#[test]
fn unreadable_responses_request_reserves_a_quarter_of_the_body_and_the_default() {
    let body = br#"{"input":"no model"}"#;
    assert_eq!(
        reserved_tokens_responses(body, 256),
        (body.len() as u64).div_ceil(4) + 256
    );
}
