"""The Anthropic Messages API served by the gateway (`/anthropic/v1/messages`), driven by the
official `anthropic` client: passed through to an Anthropic backend, translated to OpenAI chat
completions (and back, buffered and streamed) for an OpenAI backend, tool-use rounds, errors in
Anthropic's schema, token counting, and token usage read from Anthropic-schema responses."""

import anthropic
import pytest

from support.accesslog import metadata
from support.bodies import request_id
from support.gateway import ANTHROPIC_MODEL, COSTS, MODEL_A, MODEL_ANTHROPIC
from support.upstream import CLIENT_KEY

SYSTEM = "Be brief."  # 2 words
WEATHER = {"name": "get_weather", "description": "Current weather of a city",
           "input_schema": {"type": "object", "properties": {"city": {"type": "string"}},
                            "required": ["city"]}}


def reply(backend: str, text: str) -> str:
    """testupstream's answer (either flavour) to a last user text."""
    return f"Hello from {backend}! You said: {' '.join(text.split()[:5])}"


def openai_prompt_tokens(*texts: str) -> int:
    """testupstream's OpenAI prompt count: words plus 3 per message."""
    return sum(len(t.split()) + 3 for t in texts)


@pytest.fixture
def claude(gateway):
    """The official Anthropic client with the gateway as its base URL (the gateway holds
    the provider keys; the client's key never reaches a provider)."""
    with anthropic.Anthropic(base_url=f"{gateway.url}/anthropic", api_key=CLIENT_KEY,
                             max_retries=0) as c:
        yield c


def test_messages_pass_through_to_anthropic(claude):
    text = "hello claude through the gateway"
    raw = claude.messages.with_raw_response.create(
        model=MODEL_ANTHROPIC, max_tokens=50, system=SYSTEM,
        messages=[{"role": "user", "content": text}], stop_sequences=["END"],
        extra_body={"temperature": 0.2})
    assert raw.headers["x-testupstream-backend"] == "anthropic"
    message = raw.parse()
    assert message.model == ANTHROPIC_MODEL, "the route's model_override reaches Anthropic"
    assert message.id.startswith("msg_")
    assert [b.type for b in message.content] == ["text"]
    assert message.content[0].text == reply("anthropic", text)
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens == 2 + len(text.split())
    assert message.usage.output_tokens == len(reply("anthropic", text).split())


def test_stream_passes_through_from_anthropic(claude):
    text = "stream from the real schema"
    with claude.messages.stream(model=MODEL_ANTHROPIC, max_tokens=50,
                                messages=[{"role": "user", "content": text}]) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert "".join(pieces) == reply("anthropic", text)
    assert len(pieces) == len(reply("anthropic", text).split()), "one delta per word"
    assert final.usage.output_tokens == len(pieces)
    assert final.stop_reason == "end_turn"


def test_messages_translated_for_an_openai_backend(claude):
    text = "hello gpt from the anthropic client"
    raw = claude.messages.with_raw_response.create(
        model=MODEL_A, max_tokens=50, system=SYSTEM, extra_body={"temperature": 0.5},
        messages=[{"role": "user", "content": [{"type": "text", "text": text}]}])
    assert raw.headers["x-testupstream-backend"] == "openai"
    assert int(raw.headers["content-length"]) == len(raw.http_response.content)
    message = raw.parse()
    assert message.type == "message" and message.role == "assistant"
    assert message.model == MODEL_A
    assert message.content[0].text == reply("openai", text)
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens == openai_prompt_tokens(SYSTEM, text)
    assert message.usage.output_tokens == len(reply("openai", text).split())
    assert message.usage.cache_read_input_tokens == 0


def test_stream_translated_for_an_openai_backend(claude, gateway):
    text = "stream gpt words as anthropic events"
    rid = request_id()
    with claude.messages.stream(model=MODEL_A, max_tokens=50,
                                messages=[{"role": "user", "content": text}],
                                extra_headers={"x-request-id": rid}) as stream:
        events = [e.type for e in stream]
        final = stream.get_final_message()
    words = reply("openai", text).split()
    assert events[0] == "message_start"
    assert events[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert events.count("text") == len(words), "one text delta per upstream chunk"
    assert final.content[0].text == reply("openai", text)
    assert final.stop_reason == "end_turn"
    prompt = openai_prompt_tokens(text)
    assert (final.usage.input_tokens, final.usage.output_tokens) == (prompt, len(words))
    # token-usage read the Anthropic events the backend filter produced.
    meta = metadata(gateway.access_log.entry(rid), COSTS)
    assert (meta["input_tokens"], meta["output_tokens"], meta["total_tokens"]) == (
        prompt, len(words), prompt + len(words))
    assert (meta["request_model"], meta["response_model"], meta["backend"]) == (
        MODEL_A, MODEL_A, "openai")


def test_thinking_becomes_reasoning_effort_for_an_openai_backend(claude):
    # testupstream's OpenAI fake accepts reasoning_effort only with max_completion_tokens,
    # as OpenAI's reasoning models do.
    text = "think like gpt"
    raw = claude.messages.with_raw_response.create(
        model=MODEL_A, max_tokens=8000, thinking={"type": "enabled", "budget_tokens": 5000},
        messages=[{"role": "user", "content": text}])
    assert raw.headers["x-testupstream-backend"] == "openai"
    message = raw.parse()
    assert message.id.startswith("msg_")
    assert message.content[0].text == reply("openai", text)
    with pytest.raises(anthropic.BadRequestError) as caught:
        claude.messages.create(model=MODEL_A, max_tokens=1024,
                               thinking={"type": "enabled", "budget_tokens": 1024},
                               messages=[{"role": "user", "content": text}])
    assert "max_tokens" in caught.value.body["error"]["message"]


@pytest.mark.parametrize("model,backend", [(MODEL_A, "openai"), (MODEL_ANTHROPIC, "anthropic")])
def test_tool_use_round(claude, model, backend):
    ask = "please call get_weather for Paris"
    messages = [{"role": "user", "content": ask}]
    first = claude.messages.create(model=model, max_tokens=100, tools=[WEATHER],
                                   tool_choice={"type": "auto"}, messages=messages)
    assert first.stop_reason == "tool_use"
    [call] = [b for b in first.content if b.type == "tool_use"]
    assert call.name == "get_weather"
    assert call.input == {"text": ask}
    messages += [{"role": "assistant", "content": [b.model_dump() for b in first.content]},
                 {"role": "user", "content": [
                     {"type": "tool_result", "tool_use_id": call.id, "content": "sunny 21C"}]}]
    # Both fakes check that the result answers the call of the previous turn.
    second = claude.messages.create(model=model, max_tokens=100, tools=[WEATHER],
                                    messages=messages)
    assert second.stop_reason == "end_turn"
    said = "sunny 21C" if backend == "anthropic" else ask
    assert second.content[0].text == reply(backend, said)


def test_streamed_tool_use_from_an_openai_backend(claude):
    ask = "get_weather in Rome"
    with claude.messages.stream(model=MODEL_A, max_tokens=100, tools=[WEATHER],
                                tool_choice={"type": "any"},
                                messages=[{"role": "user", "content": ask}]) as stream:
        kinds = [e.type for e in stream]
        final = stream.get_final_message()
    assert kinds.count("input_json") == 2, "the arguments arrive in two pieces"
    [call] = final.content
    assert (call.type, call.name, call.input) == ("tool_use", "get_weather", {"text": ask})
    assert final.stop_reason == "tool_use"


@pytest.mark.parametrize("model", [MODEL_A, MODEL_ANTHROPIC])
def test_provider_error_in_anthropic_schema(claude, model):
    with pytest.raises(anthropic.RateLimitError) as caught:
        claude.messages.create(model=model, max_tokens=10,
                               messages=[{"role": "user", "content": "fail"}],
                               extra_headers={"x-testupstream-status": "429"})
    assert caught.value.status_code == 429
    assert caught.value.body == {"type": "error", "error": {
        "type": "rate_limit_error", "message": "injected failure with status 429"}}


def test_gateway_errors_in_anthropic_schema(claude, client):
    with pytest.raises(anthropic.NotFoundError) as caught:
        claude.messages.create(model="no-such-model", max_tokens=10,
                               messages=[{"role": "user", "content": "x"}])
    assert caught.value.body["error"]["type"] == "not_found_error"
    r = client.post("/anthropic/v1/messages", json={
        "model": MODEL_A, "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 400, r.text
    assert r.json() == {"type": "error", "error": {
        "type": "invalid_request_error", "message": "max_tokens: Field required"}}
    r = client.post("/anthropic/v1/messages", content=b'{"model": "x",',
                    headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"
    r = client.post("/anthropic/v1/messages", content=b"x" * (5 << 20),
                    headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"]["type"] == "request_too_large"
    with pytest.raises(anthropic.BadRequestError) as caught:
        claude.messages.create(model=MODEL_A, max_tokens=10, messages=[{"role": "user", "content": [
            {"type": "document", "source": {"type": "text", "media_type": "text/plain",
                                            "data": "doc"}}]}])
    assert "OpenAI-schema backend" in caught.value.body["error"]["message"]


def test_count_tokens(claude):
    count = claude.messages.count_tokens(model=MODEL_ANTHROPIC, system=SYSTEM,
                                         messages=[{"role": "user", "content": "one two three"}])
    assert count.input_tokens == 5
    with pytest.raises(anthropic.NotFoundError) as caught:
        claude.messages.count_tokens(model=MODEL_A,
                                     messages=[{"role": "user", "content": "x"}])
    assert "only by Anthropic backends" in caught.value.body["error"]["message"]
