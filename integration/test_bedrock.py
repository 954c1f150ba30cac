"""AWS Bedrock (Converse) backend through the gateway with the official `openai` client:
chat, stream, a tool-call round trip, a provider error, an exception inside the stream, and
Titan and Cohere Embed embeddings (InvokeModel).
testupstream recomputes each SigV4 signature over the request it receives, so every success
proves upstream-auth signed the path and body the backend-role translate wrote."""

import json

import httpx
import openai
import pytest

from support import own_gateway
from support.accesslog import metadata
from support.bodies import request_id
from support.faults import attempt
from support.upstream import CLIENT_KEY, KEYS

MODEL = "claude-on-bedrock"  # the route's model, sent to Bedrock as MODEL_ID
MODEL_ID = "anthropic.claude-3-5-sonnet-20240620-v1:0"
EMBED_MODEL = "amazon.titan-embed-text-v2:0"  # routed as is
COHERE_V3 = "cohere.embed-english-v3"  # routed as is
COHERE_V4 = "us.cohere.embed-v4:0"  # an inference profile, routed as is
KEY_ID, SECRET = KEYS["bedrock"].split(":")
ENV = {"AIGW_IT_BEDROCK_ID": KEY_ID, "AIGW_IT_BEDROCK_SECRET": SECRET,
       "AIGW_IT_BEDROCK_TOKEN": "fake-session-token-eeee"}
SYSTEM = {"role": "system", "content": "Be brief."}  # 2 words
WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather of a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                   "required": ["city"]}}}


def reply(text: str) -> str:
    """testupstream's Bedrock answer to a last user message `text`."""
    return f"Hello from bedrock! You said: {' '.join(text.split()[:5])}"


@pytest.fixture(scope="module")
def bedrock_gateway(upstream, module_kind, tmp_path_factory):
    backend = {"name": "bedrock", "schema": "AWSBedrock",
               "endpoint": f"http://127.0.0.1:{upstream.port}",
               "auth": {"kind": "aws_sigv4", "region": "us-east-1",
                        "access_key_id_env": "AIGW_IT_BEDROCK_ID",
                        "secret_access_key_env": "AIGW_IT_BEDROCK_SECRET",
                        "session_token_env": "AIGW_IT_BEDROCK_TOKEN"}}
    routes = [{"name": "bedrock", "models": [MODEL], "backend": "bedrock",
               "model_override": MODEL_ID},
              {"name": "bedrock-embed", "models": [EMBED_MODEL, COHERE_V3, COHERE_V4],
               "backend": "bedrock"}]
    g = own_gateway.start(tmp_path_factory.mktemp(f"bedrock-{module_kind}"), module_kind,
                          [backend], routes, ENV)
    yield g
    g.envoy.stop()
    assert not g.panic_lines()


@pytest.fixture
def oai(bedrock_gateway):
    with openai.OpenAI(base_url=f"{bedrock_gateway.url}/v1", api_key=CLIENT_KEY,
                       max_retries=0) as c:
        yield c


def test_fake_refuses_unsigned_and_forged_requests(upstream):
    # The fake is no rubber stamp: what a real Bedrock refuses, it refuses.
    url = f"http://127.0.0.1:{upstream.port}/model/{MODEL_ID}/converse"
    body = {"messages": [{"role": "user", "content": [{"text": "hi"}]}]}
    r = httpx.post(url, json=body)
    assert r.status_code == 403
    assert r.headers["x-amzn-errortype"].startswith("MissingAuthenticationTokenException:")
    assert r.json() == {"message": "Missing Authentication Token"}
    forged = {"x-amz-date": "20260101T000000Z", "authorization": (
        f"AWS4-HMAC-SHA256 Credential={KEY_ID}/20260101/us-east-1/bedrock/aws4_request, "
        f"SignedHeaders=host;x-amz-date, Signature={'0' * 64}")}
    r = httpx.post(url, json=body, headers=forged)
    assert r.status_code == 403
    assert r.headers["x-amzn-errortype"].split(":")[0] == "InvalidSignatureException"


def test_chat(oai):
    text = "hello bedrock from the openai client"
    raw = oai.chat.completions.with_raw_response.create(
        model=MODEL, messages=[SYSTEM, {"role": "user", "content": text}],
        temperature=0.2, max_tokens=50, stop=["END"])
    assert raw.headers["x-testupstream-backend"] == "bedrock"
    assert int(raw.headers["content-length"]) == len(raw.content)
    chat = raw.parse()
    assert chat.object == "chat.completion"
    assert chat.model == MODEL_ID
    assert chat.id.startswith("chatcmpl-") and len(chat.id) == len("chatcmpl-") + 36
    assert chat.choices[0].message.content == reply(text)
    assert chat.choices[0].finish_reason == "stop"
    prompt, completion = len(text.split()) + 2, len(reply(text).split())
    assert (chat.usage.prompt_tokens, chat.usage.completion_tokens, chat.usage.total_tokens) == (
        prompt, completion, prompt + completion)


def test_stream(oai):
    text = "stream some words from bedrock"
    chunks = list(oai.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": text}], stream=True,
        stream_options={"include_usage": True}))
    words = reply(text).split()
    # role, one per word, finish, usage
    assert len(chunks) == len(words) + 3
    assert chunks[0].choices[0].delta.role == "assistant"
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert content == reply(text)
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == []
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == (
        len(text.split()), len(words))
    assert {c.model for c in chunks} == {MODEL_ID}


@pytest.mark.parametrize("stream", [False, True])
def test_token_usage_reads_the_translated_response(oai, bedrock_gateway, stream):
    # token-usage sits downstream and reads the OpenAI body the backend filter produced.
    text = "count my bedrock tokens"
    rid = request_id()
    response = oai.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": text}], stream=stream,
        stream_options={"include_usage": True} if stream else None,
        extra_headers={"x-request-id": rid})
    if stream:
        assert list(response)[-1].usage.total_tokens > 0
    prompt, completion = len(text.split()), len(reply(text).split())
    meta = metadata(bedrock_gateway.access_log.entry(rid))
    assert (meta["input_tokens"], meta["output_tokens"], meta["total_tokens"]) == (
        prompt, completion, prompt + completion)
    assert (meta["request_model"], meta["response_model"], meta["backend"]) == (
        MODEL, MODEL_ID, "bedrock")


def test_tool_call_round_trip(oai):
    messages = [{"role": "user", "content": "get_weather for Paris please"}]
    first = oai.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER_TOOL])
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    [call] = choice.message.tool_calls
    assert (call.type, call.function.name) == ("function", "get_weather")
    assert call.id.startswith("tooluse_")
    assert json.loads(call.function.arguments) == {"text": messages[0]["content"]}
    messages += [choice.message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": "21C and sunny"}]
    second = oai.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER_TOOL])
    assert second.choices[0].message.content == "Hello from bedrock! The tool said: 21C and sunny"
    assert second.choices[0].finish_reason == "stop"


def test_streamed_tool_call(oai):
    chunks = list(oai.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Weather in Rome?"}],
        tools=[WEATHER_TOOL], tool_choice="required", stream=True))
    calls = [tc for c in chunks if c.choices for tc in c.choices[0].delta.tool_calls or []]
    assert calls[0].function.name == "get_weather" and calls[0].id.startswith("tooluse_")
    arguments = "".join(tc.function.arguments for tc in calls)
    assert json.loads(arguments) == {"text": "Weather in Rome?"}
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "tool_calls"


@pytest.mark.parametrize("status,error", [(429, openai.RateLimitError),
                                          (400, openai.BadRequestError),
                                          (503, openai.InternalServerError)])
def test_provider_error_keeps_status_as_openai_error(oai, status, error):
    with pytest.raises(error) as caught:
        oai.chat.completions.create(model=MODEL,
                                    messages=[{"role": "user", "content": "fail"}],
                                    extra_headers={"x-testupstream-status": str(status)})
    assert caught.value.status_code == status
    assert caught.value.body["message"] == f"injected failure with status {status}"
    code = {429: "ThrottlingException", 400: "ValidationException",
            503: "ServiceUnavailableException"}[status]
    assert caught.value.body["code"] == code


def test_exception_inside_the_stream_becomes_an_openai_error_event(bedrock_gateway):
    body = {"model": MODEL, "messages": [{"role": "user", "content": "throttle me now"}],
            "stream": True}
    with httpx.Client(base_url=bedrock_gateway.url, timeout=15) as client:
        r = client.post("/v1/chat/completions", json=body,
                        headers={"x-testupstream-stream-error": "throttlingException"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    events = [line[len("data: "):] for line in r.text.split("\n\n") if line]
    assert events[-1] == "[DONE]"
    error = json.loads(events[-2])
    assert error == {"error": {"message": "Too many tokens, please wait before trying again.",
                               "type": "rate_limit_error", "param": None,
                               "code": "throttlingException"}}
    assert json.loads(events[1])["choices"][0]["delta"]["content"] == "Hello"
    # The openai client raises on the error event.
    with openai.OpenAI(base_url=f"{bedrock_gateway.url}/v1", api_key=CLIENT_KEY,
                       max_retries=0) as c:
        stream = c.chat.completions.create(
            model=MODEL, messages=body["messages"], stream=True,
            extra_headers={"x-testupstream-stream-error": "throttlingException"})
        with pytest.raises(openai.APIError, match="Too many tokens"):
            list(stream)


def stream_error(got) -> dict:
    """The error event before `[DONE]` that ends a translated stream."""
    events = got.sse_events()
    assert events[-1] == "[DONE]", events
    return json.loads(events[-2])["error"]


def test_truncated_event_stream_frame(bedrock_gateway):
    # The provider ends the body cleanly in the middle of a frame: the client's stream gets
    # what came before, an error event and [DONE].
    with httpx.Client(base_url=bedrock_gateway.url, timeout=15) as client:
        got = attempt(client, "truncated-stream", stream=True, model=MODEL)
        assert got.complete and got.status == 200, got
        error = stream_error(got)
        assert error["type"] == "server_error", error
        assert "Unreadable Bedrock event stream" in error["message"], error
        assert json.loads(got.sse_events()[0])["choices"][0]["delta"]["role"] == "assistant"
        # Buffered: half a JSON body is an OpenAI error with status 502.
        got = attempt(client, "truncated-stream", stream=False, model=MODEL)
        assert got.complete and got.status == 502, got
        assert got.json_error()["type"] == "server_error"


def test_provider_faults_end_in_the_client_schema(bedrock_gateway):
    with httpx.Client(base_url=bedrock_gateway.url, timeout=15) as client:
        # Reset after two frames: the stream was already flowing, Envoy can only cut it.
        got = attempt(client, "reset-mid-stream", stream=True, model=MODEL)
        assert got.status == 200 and not got.complete, got
        # Reset before the whole buffered answer: held back, so an OpenAI error.
        got = attempt(client, "reset-mid-stream", stream=False, model=MODEL)
        assert got.complete and got.status == 502, got
        for stream in (False, True):
            got = attempt(client, "html", stream=stream, model=MODEL)
            assert got.complete and got.status == 502, got
            assert got.json_error()["type"] == "server_error"
        got = attempt(client, "stall-mid-stream", stream=True, stall_ms=300, model=MODEL)
        assert got.complete and got.status == 200 and got.sse_events()[-1] == "[DONE]", got
        r = client.post("/v1/chat/completions",
                        json={"model": MODEL, "messages": [{"role": "user", "content": "ok"}]})
        assert r.status_code == 200, r.text


def test_titan_embeddings(oai):
    # The client asks for base64 by default and decodes it; float works as well.
    default = oai.embeddings.create(model=EMBED_MODEL, input="embed these words")
    assert default.model == EMBED_MODEL
    assert len(default.data) == 1 and len(default.data[0].embedding) == 8
    assert (default.usage.prompt_tokens, default.usage.total_tokens) == (3, 3)
    floats = oai.embeddings.create(model=EMBED_MODEL, input=["embed these words"],
                                   encoding_format="float", dimensions=256)
    assert len(floats.data[0].embedding) == 256
    assert floats.data[0].embedding[:8] == pytest.approx(default.data[0].embedding)
    with pytest.raises(openai.BadRequestError, match="one string"):
        oai.embeddings.create(model=EMBED_MODEL, input=["a", "b"])
    with pytest.raises(openai.BadRequestError, match="not a valid enum value") as caught:
        oai.embeddings.create(model=EMBED_MODEL, input="x", dimensions=300)
    assert caught.value.body["code"] == "ValidationException", "Titan's own refusal"


def test_cohere_embeddings(oai):
    # Several texts in one call; the usage is Bedrock's input token count header (the
    # fake counts words), since Cohere's answer on Bedrock carries none.
    default = oai.embeddings.create(model=COHERE_V3, input=["embed these words", "and two"])
    assert default.model == COHERE_V3
    assert [d.index for d in default.data] == [0, 1]
    assert all(len(d.embedding) == 8 for d in default.data)
    assert (default.usage.prompt_tokens, default.usage.total_tokens) == (5, 5)
    # The same text gives the same vector as with Titan: the fake derives both from the text.
    titan = oai.embeddings.create(model=EMBED_MODEL, input="embed these words")
    assert default.data[0].embedding == pytest.approx(titan.data[0].embedding)
    v4 = oai.embeddings.create(model=COHERE_V4, input="find it", dimensions=512,
                               encoding_format="float",
                               extra_body={"input_type": "search_query"})
    assert len(v4.data[0].embedding) == 512 and v4.usage.prompt_tokens == 2
    with pytest.raises(openai.BadRequestError, match="Cohere Embed v4") as caught:
        oai.embeddings.create(model=COHERE_V3, input="x", dimensions=256)
    assert caught.value.body["param"] == "dimensions", "refused by the gateway"
    with pytest.raises(openai.BadRequestError, match="not a valid enum value") as caught:
        oai.embeddings.create(model=COHERE_V4, input="x", dimensions=300)
    assert caught.value.body["code"] == "ValidationException", "Bedrock's own refusal"
    with pytest.raises(openai.BadRequestError, match="between 1 and 96") as caught:
        oai.embeddings.create(model=COHERE_V3, input=["x"] * 97)
    assert caught.value.body["code"] == "ValidationException"


def test_requests_converse_cannot_take_are_refused_by_the_gateway(bedrock_gateway):
    with httpx.Client(base_url=bedrock_gateway.url, timeout=15) as client:
        r = client.post("/v1/chat/completions", json={"model": MODEL, "messages": [
            {"role": "user", "content": [
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]}]})
        assert r.status_code == 400, r.text
        assert "base64 data URLs" in r.json()["error"]["message"]
        r = client.post("/v1/completions", json={"model": MODEL, "prompt": "x"})
        assert r.status_code == 404, r.text
