"""Gemini API backend through the gateway with the official `openai` client: chat, stream,
a tool-call round trip, embeddings and a provider error, all translated both ways."""

import base64
import json

import openai
import pytest

from support.accesslog import metadata
from support.bodies import request_id
from support.gateway import COSTS, MODEL_GEMINI, MODEL_GEMINI_EMBED
from support.upstream import CLIENT_KEY

SYSTEM = {"role": "system", "content": "Be brief."}  # 2 words, no turn of its own
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather of a city",
        "strict": True,
        # Members Gemini rejects ($schema, additionalProperties) must be removed on the way.
        "parameters": {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
                       "additionalProperties": False,
                       "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def reply(text: str) -> str:
    """testupstream's Gemini answer to a last user turn `text`."""
    return f"Hello from gemini! You said: {' '.join(text.split()[:5])}"


def prompt_tokens(text: str) -> int:
    """testupstream's count: words of every text part plus 3 per turn (one user turn)."""
    return len(text.split()) + 3 + 2


@pytest.fixture
def oai(gateway):
    """The official OpenAI client pointed at the gateway (the gateway holds the keys)."""
    with openai.OpenAI(base_url=f"{gateway.url}/v1", api_key=CLIENT_KEY, max_retries=0) as c:
        yield c


def test_chat(oai):
    text = "hello gemini from the openai client"
    raw = oai.chat.completions.with_raw_response.create(
        model=MODEL_GEMINI, messages=[SYSTEM, {"role": "user", "content": text}],
        temperature=0.2, max_tokens=50, stop=["END"])
    assert raw.headers["x-testupstream-backend"] == "gemini"
    assert int(raw.headers["content-length"]) == len(raw.content)
    chat = raw.parse()
    assert chat.object == "chat.completion"
    assert chat.model == f"{MODEL_GEMINI}-001", "modelVersion becomes the model"
    assert chat.choices[0].message.content == reply(text)
    assert chat.choices[0].finish_reason == "stop"
    completion = len(reply(text).split())
    assert (chat.usage.prompt_tokens, chat.usage.completion_tokens, chat.usage.total_tokens) == (
        prompt_tokens(text), completion, prompt_tokens(text) + completion)


def test_stream(oai):
    text = "stream some words from gemini"
    chunks = list(oai.chat.completions.create(
        model=MODEL_GEMINI, messages=[SYSTEM, {"role": "user", "content": text}], stream=True,
        stream_options={"include_usage": True}))
    words = reply(text).split()
    assert len(chunks) == len(words) + 1, "one chunk per upstream event, then usage"
    assert chunks[0].choices[0].delta.role == "assistant"
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert content == reply(text)
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage.prompt_tokens == prompt_tokens(text)
    assert chunks[-1].usage.completion_tokens == len(words)
    assert {c.model for c in chunks} == {f"{MODEL_GEMINI}-001"}


@pytest.mark.parametrize("stream", [False, True])
def test_token_usage_reads_the_translated_response(oai, gateway, stream):
    # token-usage sits downstream and reads the OpenAI body the backend filter produced; for
    # streams the router forces include_usage (costs are configured), so usage is there too.
    text = "count my gemini tokens"
    rid = request_id()
    response = oai.chat.completions.create(
        model=MODEL_GEMINI, messages=[{"role": "user", "content": text}], stream=stream,
        extra_headers={"x-request-id": rid})
    if stream:
        assert list(response)[-1].usage.total_tokens > 0
    prompt, completion = len(text.split()) + 3, len(reply(text).split())
    meta = metadata(gateway.access_log.entry(rid), COSTS)
    assert (meta["input_tokens"], meta["output_tokens"], meta["total_tokens"]) == (
        prompt, completion, prompt + completion)
    assert (meta["request_model"], meta["response_model"], meta["backend"]) == (
        MODEL_GEMINI, f"{MODEL_GEMINI}-001", "gemini")
    assert meta["llm_total_token"] == prompt + completion


def test_tool_call_round_trip(oai):
    messages = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = oai.chat.completions.create(model=MODEL_GEMINI, messages=messages,
                                        tools=[WEATHER_TOOL], tool_choice="auto")
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    [call] = choice.message.tool_calls
    assert (call.id, call.type, call.function.name) == ("call_0_0", "function", "get_weather")
    assert json.loads(call.function.arguments) == {"city": "test"}
    messages += [choice.message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": '{"temp_c": 21}'}]
    second = oai.chat.completions.create(model=MODEL_GEMINI, messages=messages,
                                         tools=[WEATHER_TOOL])
    expected = ('Hello from gemini! The tool said: '
                '{"name":"get_weather","response":{"temp_c":21}}')
    assert second.choices[0].message.content == expected
    assert second.choices[0].finish_reason == "stop"


def test_streamed_tool_call(oai):
    chunks = list(oai.chat.completions.create(
        model=MODEL_GEMINI, messages=[{"role": "user", "content": "Weather in Rome?"}],
        tools=[WEATHER_TOOL], tool_choice="required", stream=True))
    calls = [tc for c in chunks if c.choices for tc in c.choices[0].delta.tool_calls or []]
    assert [(tc.index, tc.id, tc.function.name) for tc in calls] == [(0, "call_0_0",
                                                                        "get_weather")]
    assert json.loads(calls[0].function.arguments) == {"city": "test"}
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "tool_calls"


THOUGHT_TOKENS = 12  # testupstream's thoughtsTokenCount of every thinking answer


@pytest.mark.parametrize("stream", [False, True])
def test_reasoning_effort_returns_thought_summaries(oai, stream):
    # reasoning_effort asks Gemini for a thinking budget and includeThoughts (testupstream
    # returns thought parts only then); thought parts become reasoning_content and
    # thoughtsTokenCount counts in completion_tokens as reasoning_tokens.
    text = "why is the sky blue"
    request = {"model": MODEL_GEMINI, "messages": [{"role": "user", "content": text}],
               "reasoning_effort": "low"}
    if stream:
        chunks = list(oai.chat.completions.create(
            **request, stream=True, stream_options={"include_usage": True}))
        deltas = [c.choices[0].delta for c in chunks if c.choices]
        reasoning = "".join(getattr(d, "reasoning_content", None) or "" for d in deltas)
        content = "".join(d.content or "" for d in deltas)
        assert getattr(deltas[0], "reasoning_content", None), "thoughts come first"
        usage = chunks[-1].usage
    else:
        chat = oai.chat.completions.create(**request)
        reasoning = chat.choices[0].message.reasoning_content
        content = chat.choices[0].message.content
        usage = chat.usage
    assert reasoning == f"Thinking about: {text}"
    assert content == reply(text)
    assert usage.completion_tokens == len(reply(text).split()) + THOUGHT_TOKENS
    assert usage.completion_tokens_details.reasoning_tokens == THOUGHT_TOKENS
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_thinking_tool_call_round_trip_carries_the_thought_signature(oai):
    # A thinking model signs its function calls and (testupstream, like Gemini 3) refuses
    # them back unsigned: the signature travels in extra_content.google.thought_signature.
    messages = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = oai.chat.completions.create(model=MODEL_GEMINI, messages=messages,
                                        tools=[WEATHER_TOOL], reasoning_effort="low")
    message = first.choices[0].message
    [call] = message.tool_calls
    assert call.model_extra["extra_content"]["google"]["thought_signature"]
    messages += [message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": '{"temp_c": 21}'}]
    second = oai.chat.completions.create(model=MODEL_GEMINI, messages=messages,
                                         tools=[WEATHER_TOOL], reasoning_effort="low")
    assert second.choices[0].message.content.startswith("Hello from gemini! The tool said:")
    unsigned = [dict(m) for m in messages]
    unsigned[1]["tool_calls"] = [{k: v for k, v in call.model_dump().items()
                                  if k != "extra_content"}]
    with pytest.raises(openai.BadRequestError, match="thought_signature"):
        oai.chat.completions.create(model=MODEL_GEMINI, messages=unsigned,
                                    tools=[WEATHER_TOOL], reasoning_effort="low")


def test_reasoning_effort_none_turns_thinking_off(oai):
    chat = oai.chat.completions.create(
        model=MODEL_GEMINI, messages=[{"role": "user", "content": "no thoughts"}],
        reasoning_effort="none")
    assert getattr(chat.choices[0].message, "reasoning_content", None) is None
    assert chat.usage.completion_tokens_details.reasoning_tokens == 0


def test_embeddings(oai):
    # The client asks for base64 by default and decodes it; float works as well.
    default = oai.embeddings.create(model=MODEL_GEMINI_EMBED, input=["first", "second"])
    assert default.model == MODEL_GEMINI_EMBED
    assert [d.index for d in default.data] == [0, 1]
    assert [len(d.embedding) for d in default.data] == [8, 8]
    floats = oai.embeddings.create(model=MODEL_GEMINI_EMBED, input=["first", "second"],
                                   encoding_format="float")
    for f, d in zip(floats.data, default.data, strict=True):
        assert f.embedding == pytest.approx(d.embedding)
    short = oai.embeddings.create(model=MODEL_GEMINI_EMBED, input="first", dimensions=3,
                                  encoding_format="float")
    assert short.data[0].embedding == pytest.approx(floats.data[0].embedding[:3])


def test_embeddings_base64_is_float32_le(client):
    r = client.post("/v1/embeddings", json={"model": MODEL_GEMINI_EMBED, "input": "x",
                                            "encoding_format": "base64"})
    assert r.status_code == 200, r.text
    raw = base64.b64decode(r.json()["data"][0]["embedding"])
    assert len(raw) == 8 * 4


def test_provider_error_keeps_status_as_openai_error(oai):
    with pytest.raises(openai.RateLimitError) as caught:
        oai.chat.completions.create(model=MODEL_GEMINI,
                                    messages=[{"role": "user", "content": "fail"}],
                                    extra_headers={"x-testupstream-status": "429"})
    assert caught.value.status_code == 429
    assert caught.value.body == {"message": "injected failure with status 429",
                                 "type": "rate_limit_error", "param": None,
                                 "code": "RESOURCE_EXHAUSTED"}


def test_untranslatable_requests_are_refused_by_the_gateway(client):
    r = client.post("/v1/completions", json={"model": MODEL_GEMINI, "prompt": "x"})
    assert r.status_code == 404, r.text
    assert "Gemini backend serves" in r.json()["error"]["message"]
    r = client.post("/v1/chat/completions", json={
        "model": MODEL_GEMINI, "messages": [{"role": "user", "content": "x"}],
        "tools": [{"type": "web_search"}]})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["param"] == "tools"
