"""Google Vertex AI backends through the gateway, with the official `openai` and `anthropic`
clients: Gemini models (`GCPVertexAI`: generateContent, streamGenerateContent, predict) and
Claude models (`GCPAnthropic`: rawPredict, streamRawPredict, and the Anthropic Messages API
passed through). Every request carries a Google access token that upstream-auth fetched with
the test service account from testupstream's fake Google token endpoint; testupstream's
Vertex flavour refuses anything the real service would (wrong path, no Bearer token,
`model` in a Claude body, a missing `anthropic_version`)."""

import base64
import json

import anthropic
import httpx
import openai
import pytest

from support import own_gateway, paths, test_keys
from support.accesslog import metadata
from support.bodies import request_id
from support.parity import check_parity
from support.procs import Proc
from support.secrets import register
from support.upstream import CLIENT_KEY

STATIC_KEY = "fake-static-key-vertex-unused"  # testupstream needs one; never sent
BAD_TOKEN = "fake-vertex-revoked-token-3c9d"  # a token Vertex does not accept
register("Vertex test: a refused access token", BAD_TOKEN)
PROJECT, REGION = "aigw-fake-project", "us-east5"
GEMINI, EMBED = "gemini-2.5-flash", "text-embedding-005"
CLAUDE_ALIAS, CLAUDE = "claude-vertex", "claude-sonnet-4-5@20250929"
WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather of a city",
    "parameters": {"type": "object", "additionalProperties": False,
                   "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
WEATHER = {"name": "get_weather", "description": "Current weather of a city",
           "input_schema": {"type": "object", "properties": {"city": {"type": "string"}},
                            "required": ["city"]}}


def reply(text: str) -> str:
    """testupstream's answer (Gemini and Claude) to a last user text."""
    return f"Hello from vertex! You said: {' '.join(text.split()[:5])}"


@pytest.fixture(scope="module")
def vertex(tmp_path_factory):
    """testupstream with the Vertex backend and a Google token endpoint for the test key."""
    workdir = tmp_path_factory.mktemp("vertex-upstream")
    config = workdir / "testupstream-vertex-tokens.json"  # provider side
    config.write_text(json.dumps({"lifetime_s": 600, "delay_ms": 0, "clients": [
        {"kind": "google", "backend": "vertex", "client_email": test_keys.SERVICE_ACCOUNT_EMAIL,
         "public_key_file": str(test_keys.write_public_key(workdir))}]}))
    argv = [paths.testupstream(), "--listen", "127.0.0.1:0", "--token-config", config,
            "--backend", f"vertex={STATIC_KEY}"]
    proc = Proc("testupstream (vertex)", argv, workdir / "testupstream.log")
    port = int(proc.wait_for_output(r"^listening on [0-9.]+:(\d+)$").group(1))
    yield port
    proc.stop()


@pytest.fixture(scope="module")
def gateway(vertex, module_kind, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"vertex-{module_kind}")
    base = f"http://127.0.0.1:{vertex}"
    key = test_keys.service_account(f"{base}/google/token")
    env = {"AIGW_IT_VERTEX_SA_KEY": json.dumps(key), "AIGW_IT_VERTEX_BAD_TOKEN": BAD_TOKEN}
    location = {"endpoint": base, "project": PROJECT, "region": REGION}

    def sa() -> dict:  # a fresh dict each time: the YAML writer would share one as an anchor
        return {"kind": "gcp_service_account", "token_url": f"{base}/google/token",
                "credentials_env": "AIGW_IT_VERTEX_SA_KEY"}

    backends = [
        {"name": "vx", "schema": "GCPVertexAI", **location, "auth": sa()},
        {"name": "vc", "schema": "GCPAnthropic", **location, "auth": sa()},
        {"name": "vbad", "schema": "GCPVertexAI", **location,
         "auth": {"kind": "bearer", "key_env": "AIGW_IT_VERTEX_BAD_TOKEN"}},
    ]
    routes = [
        {"name": "gemini", "models": [GEMINI, EMBED], "backend": "vx"},
        {"name": "claude", "models": [CLAUDE_ALIAS], "backend": "vc", "model_override": CLAUDE},
        {"name": "bad", "models": ["gemini-revoked"], "backend": "vbad",
         "model_override": GEMINI},
    ]
    costs = {"costs": [{"metadata_key": "llm_total_token", "type": "TotalToken"}]}
    g = own_gateway.start(workdir, module_kind, backends, routes, env, costs)
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


# ---- Gemini models (GCPVertexAI) ----

def test_gemini_chat(oai):
    text = "hello vertex gemini from openai"
    raw = oai.chat.completions.with_raw_response.create(
        model=GEMINI, messages=[{"role": "system", "content": "Be brief."},
                                {"role": "user", "content": text}], max_tokens=40)
    assert raw.headers["x-testupstream-backend"] == "vertex"
    chat = raw.parse()
    assert chat.model == f"{GEMINI}-001"
    assert chat.choices[0].message.content == reply(text)
    assert chat.usage.prompt_tokens == len(text.split()) + 3 + 2


def test_gemini_stream(oai):
    text = "stream words from vertex please"
    chunks = list(oai.chat.completions.create(
        model=GEMINI, messages=[{"role": "user", "content": text}], stream=True,
        stream_options={"include_usage": True}))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == reply(text)
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == len(
        reply(text).split())


def test_gemini_thought_summaries(oai):
    # Vertex AI Gemini answers like the Gemini API: thought parts become reasoning_content.
    text = "think on vertex"
    chat = oai.chat.completions.create(
        model=GEMINI, messages=[{"role": "user", "content": text}], reasoning_effort="medium")
    assert chat.choices[0].message.reasoning_content == f"Thinking about: {text}"
    assert chat.choices[0].message.content == reply(text)
    assert chat.usage.completion_tokens_details.reasoning_tokens == 12
    assert chat.usage.completion_tokens == len(reply(text).split()) + 12


def test_gemini_tool_call_round_trip(oai):
    messages = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = oai.chat.completions.create(model=GEMINI, messages=messages, tools=[WEATHER_TOOL])
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    [call] = choice.message.tool_calls
    assert (call.function.name, json.loads(call.function.arguments)) == (
        "get_weather", {"city": "test"})
    messages += [choice.message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": '{"temp_c": 21}'}]
    second = oai.chat.completions.create(model=GEMINI, messages=messages, tools=[WEATHER_TOOL])
    assert second.choices[0].message.content == (
        'Hello from vertex! The tool said: {"name":"get_weather","response":{"temp_c":21}}')


def test_gemini_embeddings_through_predict(oai):
    floats = oai.embeddings.create(model=EMBED, input=["one two", "three"], dimensions=4,
                                   encoding_format="float")
    assert [len(d.embedding) for d in floats.data] == [4, 4]
    assert (floats.usage.prompt_tokens, floats.model) == (3, EMBED)
    packed = oai.embeddings.with_raw_response.create(model=EMBED, input="one two", dimensions=4)
    vector = json.loads(packed.content)["data"][0]["embedding"]
    assert len(base64.b64decode(vector)) == 16, "base64 of four float32 values"
    assert packed.parse().data[0].embedding == pytest.approx(floats.data[0].embedding)


def test_gemini_vertex_error_keeps_its_status(oai):
    with pytest.raises(openai.RateLimitError) as caught:
        oai.chat.completions.create(model=GEMINI, messages=[{"role": "user", "content": "x"}],
                                    extra_headers={"x-testupstream-status": "429"})
    assert caught.value.status_code == 429
    assert caught.value.body["code"] == "RESOURCE_EXHAUSTED"


def test_refused_token_is_an_authentication_error(oai):
    with pytest.raises(openai.AuthenticationError) as caught:
        oai.chat.completions.create(model="gemini-revoked",
                                    messages=[{"role": "user", "content": "x"}])
    assert caught.value.status_code == 401
    assert caught.value.body["code"] == "UNAUTHENTICATED"


def test_gateway_refuses_what_vertex_would(oai, gateway):
    with pytest.raises(openai.NotFoundError):
        oai.completions.create(model=GEMINI, prompt="legacy")
    r = httpx.post(f"{gateway.url}/v1/chat/completions", timeout=10, json={
        "model": CLAUDE_ALIAS, "n": 2, "messages": [{"role": "user", "content": "x"}]})
    assert (r.status_code, r.json()["error"]["param"]) == (400, "n")


# ---- Claude models (GCPAnthropic), OpenAI clients ----

@pytest.mark.parametrize("stream", [False, True])
def test_claude_chat_and_usage(oai, gateway, stream):
    text = "hello claude on vertex today"
    rid = request_id()
    response = oai.chat.completions.create(
        model=CLAUDE_ALIAS, messages=[{"role": "user", "content": text}], stream=stream,
        extra_headers={"x-request-id": rid})
    if stream:
        chunks = list(response)
        content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert chunks[-1].usage.completion_tokens == len(reply(text).split())
        model = chunks[0].model
    else:
        content, model = response.choices[0].message.content, response.model
    assert content == reply(text)
    assert model == CLAUDE, "the model in the path comes back as the response model"
    meta = metadata(gateway.access_log.entry(rid), ["llm_total_token"])
    assert (meta["input_tokens"], meta["output_tokens"], meta["backend"]) == (
        len(text.split()), len(reply(text).split()), "vc")


def test_claude_tool_call_round_trip(oai):
    ask = "please call get_weather for Paris"
    messages = [{"role": "user", "content": ask}]
    first = oai.chat.completions.create(model=CLAUDE_ALIAS, messages=messages,
                                        tools=[WEATHER_TOOL])
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    [call] = choice.message.tool_calls
    assert json.loads(call.function.arguments) == {"text": ask}
    messages += [choice.message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": "sunny 21C"}]
    second = oai.chat.completions.create(model=CLAUDE_ALIAS, messages=messages,
                                         tools=[WEATHER_TOOL])
    assert second.choices[0].message.content == reply("sunny 21C")


def test_claude_vertex_error_is_an_openai_error(oai):
    with pytest.raises(openai.InternalServerError) as caught:
        oai.chat.completions.create(model=CLAUDE_ALIAS,
                                    messages=[{"role": "user", "content": "x"}],
                                    extra_headers={"x-testupstream-status": "503"})
    assert caught.value.status_code == 503
    assert caught.value.body["code"] == "UNAVAILABLE"


# ---- Claude models (GCPAnthropic), Anthropic clients ----

def test_messages_pass_through(claude, gateway):
    text = "hello claude from the anthropic client"
    rid = request_id()
    raw = claude.messages.with_raw_response.create(
        model=CLAUDE_ALIAS, max_tokens=50, system="Be brief.",
        messages=[{"role": "user", "content": text}], extra_headers={"x-request-id": rid})
    assert raw.headers["x-testupstream-backend"] == "vertex"
    message = raw.parse()
    assert (message.model, message.content[0].text) == (CLAUDE, reply(text))
    assert message.usage.input_tokens == 2 + len(text.split())
    meta = metadata(gateway.access_log.entry(rid), ["llm_total_token"])
    assert meta["input_tokens"] == 2 + len(text.split())


def test_messages_stream(claude):
    text = "stream claude through vertex"
    with claude.messages.stream(model=CLAUDE_ALIAS, max_tokens=50,
                                messages=[{"role": "user", "content": text}]) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert "".join(pieces) == reply(text)
    assert len(pieces) == len(reply(text).split())
    assert final.stop_reason == "end_turn"


def test_messages_tool_use_round(claude):
    ask = "use get_weather for Oslo"
    messages = [{"role": "user", "content": ask}]
    first = claude.messages.create(model=CLAUDE_ALIAS, max_tokens=50, tools=[WEATHER],
                                   messages=messages)
    assert first.stop_reason == "tool_use"
    [use] = [b for b in first.content if b.type == "tool_use"]
    messages += [{"role": "assistant", "content": [b.model_dump() for b in first.content]},
                 {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id,
                                               "content": "cold and windy"}]}]
    second = claude.messages.create(model=CLAUDE_ALIAS, max_tokens=50, tools=[WEATHER],
                                    messages=messages)
    assert second.content[0].text == reply("cold and windy")


def test_count_tokens_through_the_count_tokens_endpoint(claude):
    # Vertex's count-tokens:rawPredict takes the model in the body (the route's override);
    # testupstream counts as it does for rawPredict, so both counts agree.
    text = "count these words on vertex"
    request = {"system": "Be brief.", "messages": [{"role": "user", "content": text}]}
    counted = claude.messages.count_tokens(model=CLAUDE_ALIAS, **request)
    created = claude.messages.create(model=CLAUDE_ALIAS, max_tokens=20, **request)
    assert counted.input_tokens == created.usage.input_tokens == 2 + len(text.split())
    with pytest.raises(anthropic.PermissionDeniedError):
        claude.messages.count_tokens(model=CLAUDE_ALIAS, **request,
                                     extra_headers={"x-testupstream-status": "403"})


def test_messages_errors_are_anthropic_errors(claude):
    with pytest.raises(anthropic.RateLimitError) as caught:
        claude.messages.create(model=CLAUDE_ALIAS, max_tokens=10,
                               messages=[{"role": "user", "content": "x"}],
                               extra_headers={"x-testupstream-status": "429"})
    assert caught.value.body["error"]["type"] == "rate_limit_error"
    with pytest.raises(anthropic.NotFoundError):
        claude.messages.count_tokens(model=GEMINI, messages=[{"role": "user", "content": "x"}])
    # Gemini models serve Messages clients through the chain (test_messages_backends.py).
    message = claude.messages.create(model=GEMINI, max_tokens=10,
                                     messages=[{"role": "user", "content": "hi gemini"}])
    assert message.content[0].text == reply("hi gemini")


@pytest.mark.parametrize("model", [GEMINI, CLAUDE_ALIAS])
def test_stream_usage_equals_buffered_usage(gateway, model):
    check_parity(gateway, model)
