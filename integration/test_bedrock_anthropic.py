"""Claude on AWS Bedrock through InvokeModel (schema `AWSAnthropic`) with the official `openai`
and `anthropic` clients: chat, stream, tool-call round trips, Messages passthrough (buffered
and streamed), provider errors and an exception frame inside the stream.
testupstream recomputes each SigV4 signature over the request it receives and checks the body
as Bedrock does (`anthropic_version: bedrock-2023-05-31`, no `model`, no `stream`), so every
success proves the translated path and body were signed."""

import json

import anthropic
import httpx
import openai
import pytest

from support import own_gateway
from support.accesslog import metadata
from support.bodies import request_id
from support.parity import check_parity
from support.upstream import CLIENT_KEY, KEYS

ALIAS = "claude-on-bedrock-invoke"  # the route's model
MODEL_ID = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"  # an inference profile id
NOT_CLAUDE = "not-claude"  # routed to a model id the fake does not serve through InvokeModel
KEY_ID, SECRET = KEYS["bedrock"].split(":")
ENV = {"AIGW_IT_BA_ID": KEY_ID, "AIGW_IT_BA_SECRET": SECRET}
WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather of a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                   "required": ["city"]}}}
WEATHER = {"name": "get_weather", "description": "Current weather of a city",
           "input_schema": {"type": "object", "properties": {"city": {"type": "string"}},
                            "required": ["city"]}}
THROTTLE = {"x-testupstream-stream-error": "throttlingException"}


def reply(text: str) -> str:
    """testupstream's Claude answer to a last user text."""
    return f"Hello from bedrock! You said: {' '.join(text.split()[:5])}"


@pytest.fixture(scope="module")
def gateway(upstream, module_kind, tmp_path_factory):
    backend = {"name": "ba", "schema": "AWSAnthropic",
               "endpoint": f"http://127.0.0.1:{upstream.port}",
               "auth": {"kind": "aws_sigv4", "region": "us-east-1",
                        "access_key_id_env": "AIGW_IT_BA_ID",
                        "secret_access_key_env": "AIGW_IT_BA_SECRET"}}
    routes = [{"name": "ba", "models": [ALIAS], "backend": "ba", "model_override": MODEL_ID},
              {"name": "ba-other", "models": [NOT_CLAUDE], "backend": "ba",
               "model_override": "amazon.nova-pro-v1:0"}]
    g = own_gateway.start(tmp_path_factory.mktemp(f"bedrock-anthropic-{module_kind}"),
                          module_kind, [backend], routes, ENV)
    yield g
    g.envoy.stop()
    assert not g.panic_lines()


@pytest.fixture
def oai(gateway):
    with openai.OpenAI(base_url=f"{gateway.url}/v1", api_key=CLIENT_KEY, max_retries=0) as c:
        yield c


@pytest.fixture
def claude(gateway):
    with anthropic.Anthropic(base_url=f"{gateway.url}/anthropic", api_key=CLIENT_KEY,
                             max_retries=0) as c:
        yield c


def test_fake_refuses_what_bedrock_refuses(upstream):
    url = f"http://127.0.0.1:{upstream.port}/model/{MODEL_ID}/invoke"
    r = httpx.post(url, json={"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5,
                              "messages": [{"role": "user", "content": "hi"}]})
    assert r.status_code == 403, "unsigned"
    assert r.headers["x-amzn-errortype"].startswith("MissingAuthenticationTokenException:")


# ---- OpenAI clients ----

@pytest.mark.parametrize("stream", [False, True])
def test_chat_and_usage(oai, gateway, stream):
    text = "hello claude on bedrock today"
    rid = request_id()
    response = oai.chat.completions.create(
        model=ALIAS, messages=[{"role": "system", "content": "Be brief."},
                               {"role": "user", "content": text}],
        stream=stream, stream_options={"include_usage": True} if stream else None,
        max_tokens=40, extra_headers={"x-request-id": rid})
    prompt, completion = 2 + len(text.split()), len(reply(text).split())
    if stream:
        chunks = list(response)
        assert chunks[0].choices[0].delta.role == "assistant"
        content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
        usage, model = chunks[-1].usage, chunks[0].model
    else:
        content, usage = response.choices[0].message.content, response.usage
        model = response.model
        assert response.choices[0].finish_reason == "stop"
    assert content == reply(text)
    assert model == MODEL_ID, "the model in the path comes back as the response model"
    assert (usage.prompt_tokens, usage.completion_tokens) == (prompt, completion)
    meta = metadata(gateway.access_log.entry(rid))
    assert (meta["input_tokens"], meta["output_tokens"], meta["backend"]) == (
        prompt, completion, "ba")


def test_tool_call_round_trip(oai):
    ask = "please call get_weather for Paris"
    messages = [{"role": "user", "content": ask}]
    first = oai.chat.completions.create(model=ALIAS, messages=messages, tools=[WEATHER_TOOL])
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    [call] = choice.message.tool_calls
    assert call.function.name == "get_weather" and call.id.startswith("toolu_")
    assert json.loads(call.function.arguments) == {"text": ask}
    messages += [choice.message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": "sunny 21C"}]
    second = oai.chat.completions.create(model=ALIAS, messages=messages, tools=[WEATHER_TOOL])
    assert second.choices[0].message.content == reply("sunny 21C")


def test_streamed_tool_call(oai):
    chunks = list(oai.chat.completions.create(
        model=ALIAS, messages=[{"role": "user", "content": "get_weather in Rome?"}],
        tools=[WEATHER_TOOL], stream=True))
    calls = [tc for c in chunks if c.choices for tc in c.choices[0].delta.tool_calls or []]
    assert calls[0].function.name == "get_weather" and calls[0].id.startswith("toolu_")
    arguments = "".join(tc.function.arguments for tc in calls)
    assert json.loads(arguments) == {"text": "get_weather in Rome?"}
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "tool_calls"


def test_errors_are_openai_errors_with_their_status(oai):
    with pytest.raises(openai.RateLimitError) as caught:
        oai.chat.completions.create(model=ALIAS, messages=[{"role": "user", "content": "x"}],
                                    extra_headers={"x-testupstream-status": "429"})
    assert caught.value.body["code"] == "ThrottlingException"
    with pytest.raises(openai.BadRequestError) as caught:
        oai.chat.completions.create(model=NOT_CLAUDE,
                                    messages=[{"role": "user", "content": "x"}])
    assert caught.value.body["code"] == "ValidationException"
    assert caught.value.body["message"] == "The provided model identifier is invalid."


def test_exception_frame_mid_stream_becomes_an_error_event(gateway, oai):
    body = {"model": ALIAS, "messages": [{"role": "user", "content": "throttle me now"}],
            "stream": True}
    with httpx.Client(base_url=gateway.url, timeout=15) as client:
        r = client.post("/v1/chat/completions", json=body, headers=THROTTLE)
    assert r.status_code == 200
    events = [e[len("data: "):] for e in r.text.split("\n\n") if e]
    assert events[-1] == "[DONE]"
    assert json.loads(events[-2]) == {"error": {
        "message": "Too many tokens, please wait before trying again.",
        "type": "rate_limit_error", "param": None, "code": "throttlingException"}}
    assert json.loads(events[1])["choices"][0]["delta"]["content"] == "Hello"
    stream = oai.chat.completions.create(model=ALIAS, messages=body["messages"], stream=True,
                                         extra_headers=THROTTLE)
    with pytest.raises(openai.APIError, match="Too many tokens"):
        list(stream)


def test_stream_usage_equals_buffered_usage(gateway):
    check_parity(gateway, ALIAS)


# ---- Anthropic clients ----

def test_messages_pass_through(claude, gateway):
    text = "hello claude from the anthropic client"
    rid = request_id()
    raw = claude.messages.with_raw_response.create(
        model=ALIAS, max_tokens=50, system="Be brief.",
        messages=[{"role": "user", "content": text}],
        extra_headers={"x-request-id": rid, "anthropic-beta": "token-efficient-tools-2025-02-19"})
    assert raw.headers["x-testupstream-backend"] == "bedrock"
    message = raw.parse()
    assert (message.model, message.content[0].text) == (MODEL_ID, reply(text))
    assert message.usage.input_tokens == 2 + len(text.split())
    meta = metadata(gateway.access_log.entry(rid))
    assert (meta["input_tokens"], meta["output_tokens"]) == (
        2 + len(text.split()), len(reply(text).split()))


def test_messages_stream(claude, gateway):
    text = "stream claude through bedrock"
    rid = request_id()
    with claude.messages.stream(model=ALIAS, max_tokens=50,
                                messages=[{"role": "user", "content": text}],
                                extra_headers={"x-request-id": rid}) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert "".join(pieces) == reply(text)
    assert len(pieces) == len(reply(text).split())
    assert (final.stop_reason, final.model) == ("end_turn", MODEL_ID)
    assert final.usage.output_tokens == len(reply(text).split())
    meta = metadata(gateway.access_log.entry(rid))
    assert (meta["input_tokens"], meta["output_tokens"]) == (
        len(text.split()), len(reply(text).split()))


def test_messages_tool_use_round(claude):
    ask = "use get_weather for Oslo"
    messages = [{"role": "user", "content": ask}]
    first = claude.messages.create(model=ALIAS, max_tokens=50, tools=[WEATHER],
                                   messages=messages)
    assert first.stop_reason == "tool_use"
    [use] = [b for b in first.content if b.type == "tool_use"]
    assert use.input == {"text": ask}
    messages += [{"role": "assistant", "content": [b.model_dump() for b in first.content]},
                 {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id,
                                               "content": "cold and windy"}]}]
    second = claude.messages.create(model=ALIAS, max_tokens=50, tools=[WEATHER],
                                    messages=messages)
    assert second.content[0].text == reply("cold and windy")


def test_count_tokens_through_count_tokens(claude):
    # CountTokens gets the InvokeModel body base64-encoded; testupstream checks that body as
    # InvokeModel does and counts as it does for InvokeModel, so both counts agree.
    text = "count these words on bedrock"
    request = {"system": "Be brief.", "messages": [{"role": "user", "content": text}]}
    counted = claude.messages.count_tokens(model=ALIAS, **request,
                                           extra_headers={"anthropic-beta": "token-counting-2024-11-01"})
    created = claude.messages.create(model=ALIAS, max_tokens=20, **request)
    assert counted.input_tokens == created.usage.input_tokens > 0
    with pytest.raises(anthropic.BadRequestError) as caught:
        claude.messages.count_tokens(model=NOT_CLAUDE, **request)
    assert caught.value.body["error"]["message"] == (
        "The provided model doesn't support counting tokens.")


def test_messages_errors_are_anthropic_errors(claude):
    with pytest.raises(anthropic.RateLimitError) as caught:
        claude.messages.create(model=ALIAS, max_tokens=10,
                               messages=[{"role": "user", "content": "x"}],
                               extra_headers={"x-testupstream-status": "429"})
    assert caught.value.body["error"]["type"] == "rate_limit_error"
    with pytest.raises(anthropic.BadRequestError) as caught:
        claude.messages.create(model=NOT_CLAUDE, max_tokens=10,
                               messages=[{"role": "user", "content": "x"}])
    assert caught.value.body["error"]["message"] == "The provided model identifier is invalid."
    with claude.messages.stream(model=ALIAS, max_tokens=50, extra_headers=THROTTLE,
                                messages=[{"role": "user", "content": "x y"}]) as stream:
        with pytest.raises(anthropic.APIStatusError, match="Too many tokens"):
            list(stream.text_stream)
