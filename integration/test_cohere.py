"""Cohere v2 backend through the gateway with the official `openai` client: chat, stream,
tool calls (buffered and streamed), embeddings, a provider error and token usage, all
translated both ways. testupstream checks each request as strictly as Cohere does, so every
success also proves the translated body is one Cohere accepts."""

import base64
import json

import httpx
import openai
import pytest

from support import own_gateway
from support.accesslog import metadata
from support.bodies import request_id
from support.parity import check_parity
from support.upstream import CLIENT_KEY, KEYS

MODEL = "command-a-03-2025"  # routed as is
ALIAS = "cohere-chat"  # a route that overrides the model to MODEL
EMBED_MODEL = "embed-v4.0"
ENV = {"AIGW_IT_COHERE_KEY": KEYS["cohere"]}
COSTS = {"llm_input_token": "InputToken", "llm_total_token": "TotalToken"}
SYSTEM = {"role": "system", "content": "Be brief."}  # 2 words
WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather of a city", "strict": True,
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                   "required": ["city"]}}}


def reply(text: str) -> str:
    """testupstream's Cohere answer to a last user message `text`."""
    return f"Hello from cohere! You said: {' '.join(text.split()[:5])}"


def prompt_tokens(*texts: str) -> int:
    """testupstream's `usage.tokens.input_tokens`: words plus 3 per message."""
    return sum(len(t.split()) + 3 for t in texts)


@pytest.fixture(scope="module")
def cohere_gateway(upstream, module_kind, tmp_path_factory):
    backend = {"name": "cohere", "schema": "Cohere",
               "endpoint": f"http://127.0.0.1:{upstream.port}",
               "auth": {"kind": "bearer", "key_env": "AIGW_IT_COHERE_KEY"}}
    routes = [{"name": "cohere", "models": [MODEL, EMBED_MODEL], "backend": "cohere"},
              {"name": "cohere-alias", "models": [ALIAS], "backend": "cohere",
               "model_override": MODEL}]
    extra = {"costs": [{"metadata_key": k, "type": t} for k, t in COSTS.items()]}
    g = own_gateway.start(tmp_path_factory.mktemp(f"cohere-{module_kind}"), module_kind,
                          [backend], routes, ENV, extra)
    yield g
    g.envoy.stop()
    assert not g.panic_lines()


@pytest.fixture
def oai(cohere_gateway):
    with openai.OpenAI(base_url=f"{cohere_gateway.url}/v1", api_key=CLIENT_KEY,
                       max_retries=0) as c:
        yield c


def test_fake_refuses_what_cohere_refuses(upstream):
    # The fake is no rubber stamp: what the real API refuses, it refuses.
    base = f"http://127.0.0.1:{upstream.port}"
    auth = {"authorization": f"Bearer {KEYS['cohere']}"}
    user = {"role": "user", "content": "hi"}
    r = httpx.post(f"{base}/v2/chat", json={"model": MODEL, "messages": [user]})
    assert (r.status_code, r.json()["message"]) == (401, "no api key supplied")
    r = httpx.post(f"{base}/v2/chat", json={"model": MODEL, "messages": [user]},
                   headers={"authorization": "Bearer sk-wrong-key-0000"})
    assert (r.status_code, r.json()["message"]) == (401, "invalid api token")
    r = httpx.post(f"{base}/v2/chats", json={"model": MODEL, "messages": [user]}, headers=auth)
    assert r.status_code == 404
    for body in ({"messages": [user]},
                 {"model": MODEL, "messages": []},
                 {"model": MODEL, "messages": [{"role": "developer", "content": "x"}]},
                 {"model": MODEL, "messages": [user], "tool_choice": "auto"},
                 {"model": MODEL, "messages": [user], "top_p": 0.5}):
        r = httpx.post(f"{base}/v2/chat", json=body, headers=auth)
        assert r.status_code == 400, body
        assert r.json()["message"].startswith("invalid request: ")
    r = httpx.post(f"{base}/v2/embed", json={"model": EMBED_MODEL, "texts": ["x"]}, headers=auth)
    assert r.status_code == 400, "input_type and embedding_types are required"


def test_chat(oai):
    text = "hello cohere from the openai client"
    raw = oai.chat.completions.with_raw_response.create(
        model=MODEL, messages=[SYSTEM, {"role": "user", "content": text}],
        temperature=0.2, top_p=1.0, presence_penalty=-1.0, max_tokens=50, stop=["END"],
        seed=3)
    # top_p 1 and a negative penalty are out of Cohere's ranges: the fake would say 400 if
    # the gateway did not clamp them.
    assert raw.headers["x-testupstream-backend"] == "cohere"
    assert int(raw.headers["content-length"]) == len(raw.content)
    chat = raw.parse()
    assert chat.object == "chat.completion"
    assert chat.id.startswith("chatcmpl-")
    assert chat.model == MODEL
    assert chat.choices[0].message.content == reply(text)
    assert chat.choices[0].finish_reason == "stop"
    completion = len(reply(text).split())
    prompt = prompt_tokens("Be brief.", text)
    assert (chat.usage.prompt_tokens, chat.usage.completion_tokens, chat.usage.total_tokens) == (
        prompt, completion, prompt + completion)


def test_model_override_and_json_mode(oai):
    chat = oai.chat.completions.create(
        model=ALIAS, messages=[{"role": "developer", "content": "Answer in JSON."},
                               {"role": "user", "content": "give me json"}],
        response_format={"type": "json_schema", "json_schema": {
            "name": "x", "schema": {"type": "object", "properties": {"a": {"type": "string"}}}}})
    assert chat.model == MODEL
    assert chat.choices[0].message.content == reply("give me json")


def test_stream(oai):
    text = "stream some words from cohere"
    chunks = list(oai.chat.completions.create(
        model=MODEL, messages=[SYSTEM, {"role": "user", "content": text}], stream=True,
        stream_options={"include_usage": True}))
    words = reply(text).split()
    # role chunk, one chunk per word, the finish chunk, the usage chunk
    assert len(chunks) == len(words) + 3
    assert chunks[0].choices[0].delta.role == "assistant"
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert content == reply(text)
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage.prompt_tokens == prompt_tokens("Be brief.", text)
    assert chunks[-1].usage.completion_tokens == len(words)
    assert {c.model for c in chunks} == {MODEL}
    assert len({c.id for c in chunks}) == 1


@pytest.mark.parametrize("stream", [False, True])
def test_token_usage_reads_the_translated_response(oai, cohere_gateway, stream):
    text = "count my cohere tokens"
    rid = request_id()
    response = oai.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": text}], stream=stream,
        extra_headers={"x-request-id": rid})
    if stream:
        assert list(response)[-1].usage.total_tokens > 0
    prompt, completion = prompt_tokens(text), len(reply(text).split())
    meta = metadata(cohere_gateway.access_log.entry(rid), COSTS)
    assert (meta["input_tokens"], meta["output_tokens"], meta["total_tokens"]) == (
        prompt, completion, prompt + completion)
    assert (meta["request_model"], meta["response_model"], meta["backend"]) == (
        MODEL, MODEL, "cohere")


def test_tool_call_round_trip(oai):
    messages = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = oai.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER_TOOL],
                                        tool_choice="auto")
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None, "the tool plan is not content"
    [call] = choice.message.tool_calls
    assert call.type == "function" and call.function.name == "get_weather"
    assert call.id.startswith("get_weather_"), "Cohere's tool call id is kept"
    assert json.loads(call.function.arguments) == {"city": "test"}
    messages += [choice.message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": '{"temp_c": 21}'}]
    second = oai.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER_TOOL])
    assert second.choices[0].message.content == (
        'Hello from cohere! The tool said: {"temp_c": 21}')
    assert second.choices[0].finish_reason == "stop"


def test_streamed_tool_call(oai):
    chunks = list(oai.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Weather in Rome?"}],
        tools=[WEATHER_TOOL], tool_choice={"type": "function", "function": {"name": "get_weather"}},
        stream=True))
    calls = [tc for c in chunks if c.choices for tc in c.choices[0].delta.tool_calls or []]
    assert len(calls) == 3, "start, then the two argument halves"
    assert {tc.index for tc in calls} == {0}
    assert calls[0].function.name == "get_weather" and calls[0].id.startswith("get_weather_")
    arguments = "".join(tc.function.arguments or "" for tc in calls)
    assert json.loads(arguments) == {"city": "test"}
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "tool_calls"


def test_embeddings(oai):
    # The client asks for base64 by default and decodes it; float works as well.
    default = oai.embeddings.create(model=EMBED_MODEL, input=["first words", "second"])
    assert default.model == EMBED_MODEL
    assert [d.index for d in default.data] == [0, 1]
    assert [len(d.embedding) for d in default.data] == [8, 8]
    assert (default.usage.prompt_tokens, default.usage.total_tokens) == (3, 3)
    floats = oai.embeddings.create(model=EMBED_MODEL, input=["first words", "second"],
                                   encoding_format="float")
    for f, d in zip(floats.data, default.data, strict=True):
        assert f.embedding == pytest.approx(d.embedding)
    wide = oai.embeddings.create(model=EMBED_MODEL, input="first words", dimensions=256,
                                 encoding_format="float")
    assert len(wide.data[0].embedding) == 256
    assert wide.data[0].embedding[:8] == pytest.approx(floats.data[0].embedding)


def test_embeddings_base64_is_float32_le(cohere_gateway):
    with cohere_gateway.client() as c:
        r = c.post("/v1/embeddings", json={"model": EMBED_MODEL, "input": "x",
                                           "encoding_format": "base64"})
    assert r.status_code == 200, r.text
    assert len(base64.b64decode(r.json()["data"][0]["embedding"])) == 8 * 4


def test_provider_error_keeps_status_as_openai_error(oai):
    with pytest.raises(openai.RateLimitError) as caught:
        oai.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "fail"}],
                                    extra_headers={"x-testupstream-status": "429"})
    assert caught.value.status_code == 429
    assert caught.value.body == {"message": "injected failure with status 429",
                                 "type": "rate_limit_error", "param": None, "code": None}
    with pytest.raises(openai.InternalServerError) as caught:
        list(oai.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "fail"}], stream=True,
            extra_headers={"x-testupstream-status": "503"}))
    assert caught.value.status_code == 503


def test_untranslatable_requests_are_refused_by_the_gateway(cohere_gateway):
    with cohere_gateway.client() as c:
        r = c.post("/v1/completions", json={"model": MODEL, "prompt": "x"})
        assert r.status_code == 404, r.text
        assert "Cohere backend serves" in r.json()["error"]["message"]
        r = c.post("/v1/chat/completions", json={
            "model": MODEL, "messages": [{"role": "user", "content": "x"}], "n": 2})
        assert r.status_code == 400, r.text
        assert r.json()["error"]["param"] == "n"


def test_stream_usage_equals_buffered_usage(cohere_gateway):
    check_parity(cohere_gateway, MODEL)
