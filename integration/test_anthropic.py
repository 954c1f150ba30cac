"""Anthropic Messages backend through the gateway with the official `openai` client: chat,
stream, tool-call round trips (buffered and streamed) and provider errors (before and in the
stream), all translated both ways by the backend-role translate filter."""

import json

import openai
import pytest

from support.accesslog import metadata
from support.bodies import request_id
from support.gateway import ANTHROPIC_MODEL, COSTS, MODEL_ANTHROPIC
from support.upstream import CLIENT_KEY

SYSTEM = {"role": "system", "content": "Be brief."}  # 2 words, sent as Anthropic `system`
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather of a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"]},
    },
}


def reply(text: str) -> str:
    """testupstream's Anthropic answer to a last user message `text`."""
    return f"Hello from anthropic! You said: {' '.join(text.split()[:5])}"


@pytest.fixture
def oai(gateway):
    """The official OpenAI client pointed at the gateway (the gateway holds the keys)."""
    with openai.OpenAI(base_url=f"{gateway.url}/v1", api_key=CLIENT_KEY, max_retries=0) as c:
        yield c


def test_chat(oai):
    text = "hello claude from the openai client"
    raw = oai.chat.completions.with_raw_response.create(
        model=MODEL_ANTHROPIC, messages=[SYSTEM, {"role": "user", "content": text}],
        temperature=0.2, max_tokens=50, stop=["END"])
    assert raw.headers["x-testupstream-backend"] == "anthropic"
    assert int(raw.headers["content-length"]) == len(raw.content)
    chat = raw.parse()
    assert chat.object == "chat.completion"
    assert chat.id.startswith("msg_")
    assert chat.model == ANTHROPIC_MODEL, "the route's model_override reaches Anthropic"
    assert chat.choices[0].message.content == reply(text)
    assert chat.choices[0].finish_reason == "stop"
    prompt, completion = 2 + len(text.split()), len(reply(text).split())
    assert (chat.usage.prompt_tokens, chat.usage.completion_tokens, chat.usage.total_tokens) == (
        prompt, completion, prompt + completion)
    assert chat.usage.prompt_tokens_details.cached_tokens == 0


def test_multi_turn_merges_consecutive_user_messages(oai):
    # Anthropic refuses two user messages in a row; the gateway merges them.
    chat = oai.chat.completions.create(model=MODEL_ANTHROPIC, messages=[
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": "second"},
        {"role": "user", "content": [{"type": "text", "text": "third"}]},
    ])
    assert chat.choices[0].message.content == reply("second third")


def test_stream(oai):
    text = "stream some words from claude"
    chunks = list(oai.chat.completions.create(
        model=MODEL_ANTHROPIC, messages=[SYSTEM, {"role": "user", "content": text}],
        stream=True, stream_options={"include_usage": True}))
    words = reply(text).split()
    assert len(chunks) == 1 + len(words) + 2, "role chunk, one per word, finish, usage"
    assert chunks[0].choices[0].delta.role == "assistant"
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert content == reply(text)
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage.prompt_tokens == 2 + len(text.split())
    assert chunks[-1].usage.completion_tokens == len(words)
    assert {c.model for c in chunks} == {ANTHROPIC_MODEL}


def test_token_usage_reads_the_translated_stream(oai, gateway):
    # Costs are configured, so the router forces include_usage: the Anthropic usage reaches
    # the client and token-usage, which reads the OpenAI chunks the backend filter produced.
    text = "count my claude tokens"
    rid = request_id()
    chunks = list(oai.chat.completions.create(
        model=MODEL_ANTHROPIC, messages=[{"role": "user", "content": text}], stream=True,
        extra_headers={"x-request-id": rid}))
    prompt, completion = len(text.split()), len(reply(text).split())
    assert chunks[-1].usage.total_tokens == prompt + completion
    meta = metadata(gateway.access_log.entry(rid), COSTS)
    assert (meta["input_tokens"], meta["output_tokens"], meta["total_tokens"]) == (
        prompt, completion, prompt + completion)
    assert (meta["request_model"], meta["response_model"], meta["backend"]) == (
        MODEL_ANTHROPIC, ANTHROPIC_MODEL, "anthropic")


def test_tool_call_round_trip(oai):
    ask = "please call get_weather for Paris"
    messages = [{"role": "user", "content": ask}]
    first = oai.chat.completions.create(model=MODEL_ANTHROPIC, messages=messages,
                                        tools=[WEATHER_TOOL], tool_choice="auto")
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    [call] = choice.message.tool_calls
    assert (call.type, call.function.name) == ("function", "get_weather")
    assert call.id.startswith("toolu_")
    assert json.loads(call.function.arguments) == {"text": ask}
    messages += [choice.message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": "sunny 21C"}]
    # testupstream checks the tool_result answers the tool_use id of the previous turn.
    second = oai.chat.completions.create(model=MODEL_ANTHROPIC, messages=messages,
                                         tools=[WEATHER_TOOL])
    assert second.choices[0].message.content == reply("sunny 21C")
    assert second.choices[0].finish_reason == "stop"


def test_streamed_tool_call(oai):
    ask = "get_weather in Rome"
    chunks = list(oai.chat.completions.create(
        model=MODEL_ANTHROPIC, messages=[{"role": "user", "content": ask}],
        tools=[WEATHER_TOOL], tool_choice="required", stream=True))
    calls = [tc for c in chunks if c.choices for tc in c.choices[0].delta.tool_calls or []]
    assert calls[0].index == 0 and calls[0].function.name == "get_weather"
    assert calls[0].id.startswith("toolu_")
    arguments = "".join(tc.function.arguments or "" for tc in calls)
    assert json.loads(arguments) == {"text": ask}
    assert len(calls) == 3, "the start, then two argument pieces"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "tool_calls"


def test_provider_error_keeps_status_as_openai_error(oai):
    with pytest.raises(openai.RateLimitError) as caught:
        oai.chat.completions.create(model=MODEL_ANTHROPIC,
                                    messages=[{"role": "user", "content": "fail"}],
                                    extra_headers={"x-testupstream-status": "429"})
    assert caught.value.status_code == 429
    assert caught.value.body == {"message": "injected failure with status 429",
                                 "type": "rate_limit_error", "param": None, "code": None}


def test_anthropic_validation_error_is_a_400(oai):
    # OpenAI allows temperature up to 2; Anthropic refuses above 1 and the gateway says so.
    with pytest.raises(openai.BadRequestError) as caught:
        oai.chat.completions.create(model=MODEL_ANTHROPIC, temperature=1.5,
                                    messages=[{"role": "user", "content": "too hot"}])
    assert caught.value.body["type"] == "invalid_request_error"
    assert "temperature" in caught.value.body["message"]


def test_error_event_mid_stream_ends_the_stream(oai):
    stream = oai.chat.completions.create(
        model=MODEL_ANTHROPIC, messages=[{"role": "user", "content": "break please"}],
        stream=True, extra_headers={"x-testupstream-stream-error": "1"})
    received = []
    with pytest.raises(openai.APIError) as caught:
        for chunk in stream:
            received.append(chunk)
    assert "Overloaded" in str(caught.value)
    content = "".join(c.choices[0].delta.content or "" for c in received if c.choices)
    assert content == "Hello", "the first word arrived before the error"


def test_gateway_refuses_what_anthropic_cannot_do(client):
    r = client.post("/v1/embeddings", json={"model": MODEL_ANTHROPIC, "input": "x"})
    assert r.status_code == 404, r.text
    assert "chat/completions only" in r.json()["error"]["message"]
    r = client.post("/v1/chat/completions", json={
        "model": MODEL_ANTHROPIC, "n": 2, "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["param"] == "n"
