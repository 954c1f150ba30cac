"""The Anthropic Messages API (`/anthropic/v1/messages`) to backends that speak neither
Anthropic nor OpenAI, driven by the official `anthropic` client: Gemini, Gemini on Vertex AI,
AWS Bedrock Converse (SigV4 recomputed by testupstream) and Cohere. The gateway chains the
translations (Anthropic -> OpenAI chat -> the provider, and back), so each test shows a
message, a stream, a tool-use round, errors in Anthropic's schema and token usage read from
the Anthropic events the backend filter produced. testupstream checks every provider body as
strictly as the real API."""

import anthropic
import pytest

from support import own_gateway, paths
from support.accesslog import metadata
from support.bodies import request_id
from support.procs import Proc
from support.secrets import register
from support.upstream import CLIENT_KEY, KEYS

VERTEX_KEY = "fake-vertex-static-token-7e1a"  # a bearer token the Vertex fake accepts
register("Messages chain test: the Vertex bearer token", VERTEX_KEY)
BEDROCK_ID, BEDROCK_SECRET = KEYS["bedrock"].split(":")
ENV = {"AIGW_IT_GEMINI_KEY": KEYS["gemini"], "AIGW_IT_COHERE_KEY": KEYS["cohere"],
       "AIGW_IT_BEDROCK_ID": BEDROCK_ID, "AIGW_IT_BEDROCK_SECRET": BEDROCK_SECRET,
       "AIGW_IT_VERTEX_TOKEN": VERTEX_KEY}
COSTS = {"llm_input_token": "InputToken", "llm_total_token": "TotalToken"}
# backend -> (the model the client names, the model the provider reports)
MODELS = {
    "gemini": ("gemini-2.0-flash", "gemini-2.0-flash-001"),
    "vertex": ("gemini-2.5-flash", "gemini-2.5-flash-001"),
    "bedrock": ("nova-chain", "amazon.nova-lite-v1:0"),
    "cohere": ("command-a-03-2025", "command-a-03-2025"),
}
# Claude on Bedrock Converse: it names the stop sequence that matched.
CLAUDE_CONVERSE = ("claude-chain", "anthropic.claude-3-5-haiku-20241022-v1:0")
THOUGHT_TOKENS = 12  # testupstream's Gemini thoughtsTokenCount of every thinking answer
BACKENDS = list(MODELS)
SYSTEM = "Be brief."  # 2 words
WEATHER = {"name": "get_weather", "description": "Current weather of a city",
           "input_schema": {"type": "object", "properties": {"city": {"type": "string"}},
                            "required": ["city"]}}


def reply(backend: str, text: str) -> str:
    """testupstream's answer to a last user text."""
    return f"Hello from {backend}! You said: {' '.join(text.split()[:5])}"


def prompt_tokens(backend: str, system: str | None, text: str) -> int:
    """testupstream's prompt count of a system prompt and one user text: words, plus 3 per
    message for Cohere (the system prompt is one) and per turn for Gemini (the system
    instruction is none); Bedrock counts words only."""
    words = sum(len(t.split()) for t in (system, text) if t)
    per_message = {"cohere": 3 * (2 if system else 1), "bedrock": 0}
    return words + per_message.get(backend, 3)


@pytest.fixture(scope="module")
def vertex_upstream(tmp_path_factory):
    """testupstream as Vertex AI, accepting one static bearer token."""
    workdir = tmp_path_factory.mktemp("chain-vertex-upstream")
    argv = [paths.testupstream(), "--listen", "127.0.0.1:0",
            "--backend", f"vertex={VERTEX_KEY}"]
    proc = Proc("testupstream (vertex)", argv, workdir / "testupstream.log")
    port = int(proc.wait_for_output(r"^listening on [0-9.]+:(\d+)$").group(1))
    yield port
    proc.stop()


@pytest.fixture(scope="module")
def chain_gateway(upstream, vertex_upstream, module_kind, tmp_path_factory):
    base = f"http://127.0.0.1:{upstream.port}"
    backends = [
        {"name": "gemini", "schema": "Gemini", "endpoint": base,
         "auth": {"kind": "gemini_api_key", "key_env": "AIGW_IT_GEMINI_KEY"}},
        {"name": "vertex", "schema": "GCPVertexAI", "endpoint": f"http://127.0.0.1:{vertex_upstream}",
         "project": "aigw-fake-project", "region": "us-east5",
         "auth": {"kind": "bearer", "key_env": "AIGW_IT_VERTEX_TOKEN"}},
        {"name": "bedrock", "schema": "AWSBedrock", "endpoint": base,
         "auth": {"kind": "aws_sigv4", "region": "us-east-1",
                  "access_key_id_env": "AIGW_IT_BEDROCK_ID",
                  "secret_access_key_env": "AIGW_IT_BEDROCK_SECRET"}},
        {"name": "cohere", "schema": "Cohere", "endpoint": base,
         "auth": {"kind": "bearer", "key_env": "AIGW_IT_COHERE_KEY"}},
    ]
    routes = [{"name": "gemini", "models": [MODELS["gemini"][0]], "backend": "gemini"},
              {"name": "vertex", "models": [MODELS["vertex"][0]], "backend": "vertex"},
              {"name": "bedrock", "models": [MODELS["bedrock"][0]], "backend": "bedrock",
               "model_override": MODELS["bedrock"][1]},
              {"name": "cohere", "models": [MODELS["cohere"][0]], "backend": "cohere"},
              {"name": "claude-converse", "models": [CLAUDE_CONVERSE[0]], "backend": "bedrock",
               "model_override": CLAUDE_CONVERSE[1]}]
    extra = {"costs": [{"metadata_key": k, "type": t} for k, t in COSTS.items()]}
    g = own_gateway.start(tmp_path_factory.mktemp(f"chain-{module_kind}"), module_kind,
                          backends, routes, ENV, extra)
    yield g
    g.envoy.stop()
    assert not g.panic_lines()


@pytest.fixture
def claude(chain_gateway):
    with anthropic.Anthropic(base_url=f"{chain_gateway.url}/anthropic", api_key=CLIENT_KEY,
                             max_retries=0) as c:
        yield c


@pytest.mark.parametrize("backend", BACKENDS)
def test_message(claude, backend):
    model, reported = MODELS[backend]
    text = f"hello {backend} from the anthropic client"
    raw = claude.messages.with_raw_response.create(
        model=model, max_tokens=50, system=SYSTEM, stop_sequences=["END"],
        extra_body={"temperature": 0.2},
        messages=[{"role": "user", "content": [{"type": "text", "text": text}]}])
    assert raw.headers["x-testupstream-backend"] == backend
    assert int(raw.headers["content-length"]) == len(raw.http_response.content)
    message = raw.parse()
    assert (message.type, message.role, message.model) == ("message", "assistant", reported)
    assert [b.type for b in message.content] == ["text"]
    assert message.content[0].text == reply(backend, text)
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens == prompt_tokens(backend, SYSTEM, text)
    assert message.usage.output_tokens == len(reply(backend, text).split())


@pytest.mark.parametrize("backend", BACKENDS)
def test_stream_and_token_usage(claude, chain_gateway, backend):
    model, reported = MODELS[backend]
    text = f"stream {backend} words as anthropic events"
    rid = request_id()
    with claude.messages.stream(model=model, max_tokens=50, system=SYSTEM,
                                messages=[{"role": "user", "content": text}],
                                extra_headers={"x-request-id": rid}) as stream:
        events = [e.type for e in stream]
        final = stream.get_final_message()
    words = reply(backend, text).split()
    assert events[0] == "message_start"
    assert events[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert events.count("text") == len(words), "one text delta per upstream event"
    assert final.model == reported
    assert final.content[0].text == reply(backend, text)
    assert final.stop_reason == "end_turn"
    prompt = prompt_tokens(backend, SYSTEM, text)
    assert (final.usage.input_tokens, final.usage.output_tokens) == (prompt, len(words))
    # token-usage read the Anthropic events the backend filter made of the provider's stream.
    meta = metadata(chain_gateway.access_log.entry(rid), COSTS)
    assert (meta["input_tokens"], meta["output_tokens"], meta["total_tokens"]) == (
        prompt, len(words), prompt + len(words))
    assert (meta["llm_input_token"], meta["llm_total_token"]) == (prompt, prompt + len(words))
    assert (meta["request_model"], meta["backend"]) == (model, backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_streamed_and_buffered_usage_agree(claude, chain_gateway, backend):
    model = MODELS[backend][0]
    request = {"model": model, "max_tokens": 30, "system": SYSTEM,
               "messages": [{"role": "user", "content": "count these tokens the same way twice"}]}
    logged = []
    for stream in (False, True):
        rid = request_id()
        if stream:
            with claude.messages.stream(**request, extra_headers={"x-request-id": rid}) as s:
                usage = s.get_final_message().usage
        else:
            usage = claude.messages.create(**request, extra_headers={"x-request-id": rid}).usage
        meta = metadata(chain_gateway.access_log.entry(rid), COSTS)
        logged.append(((usage.input_tokens, usage.output_tokens),
                       (meta["input_tokens"], meta["output_tokens"], meta["total_tokens"])))
    assert logged[0] == logged[1], logged
    assert logged[0][1][0] > 0 and logged[0][1][1] > 0


def tool_answer(backend: str, ask: str, call_input: dict, result: str) -> str:
    """testupstream's answer after a tool result."""
    if backend in ("gemini", "vertex"):
        return (f'Hello from {backend}! The tool said: '
                f'{{"name":"get_weather","response":{{"content":"{result}"}}}}')
    return f"Hello from {backend}! The tool said: {result}"


@pytest.mark.parametrize("backend", BACKENDS)
def test_tool_use_round(claude, backend):
    model = MODELS[backend][0]
    ask = "please call get_weather for Paris"
    messages = [{"role": "user", "content": ask}]
    first = claude.messages.create(model=model, max_tokens=100, system=SYSTEM, tools=[WEATHER],
                                   tool_choice={"type": "auto"}, messages=messages)
    assert first.stop_reason == "tool_use"
    [call] = [b for b in first.content if b.type == "tool_use"]
    assert call.name == "get_weather" and call.id
    expected_input = {"text": ask} if backend == "bedrock" else {"city": "test"}
    assert call.input == expected_input
    messages += [{"role": "assistant", "content": [b.model_dump() for b in first.content]},
                 {"role": "user", "content": [
                     {"type": "tool_result", "tool_use_id": call.id, "content": "sunny 21C"}]}]
    # Each fake checks that the result answers the call of the previous turn.
    second = claude.messages.create(model=model, max_tokens=100, tools=[WEATHER],
                                    messages=messages)
    assert second.stop_reason == "end_turn"
    assert second.content[0].text == tool_answer(backend, ask, call.input, "sunny 21C")


@pytest.mark.parametrize("backend", BACKENDS)
def test_streamed_tool_use(claude, backend):
    model = MODELS[backend][0]
    ask = "get_weather in Rome"
    with claude.messages.stream(model=model, max_tokens=100, tools=[WEATHER],
                                tool_choice={"type": "any"},
                                messages=[{"role": "user", "content": ask}]) as stream:
        kinds = [e.type for e in stream]
        final = stream.get_final_message()
    assert "input_json" in kinds
    [call] = [b for b in final.content if b.type == "tool_use"]
    expected_input = {"text": ask} if backend == "bedrock" else {"city": "test"}
    assert (call.name, call.input) == ("get_weather", expected_input)
    assert final.stop_reason == "tool_use"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("status,error", [(429, anthropic.RateLimitError),
                                          (400, anthropic.BadRequestError)])
def test_provider_error_in_anthropic_schema(claude, backend, status, error):
    with pytest.raises(error) as caught:
        claude.messages.create(model=MODELS[backend][0], max_tokens=10,
                               messages=[{"role": "user", "content": "fail"}],
                               extra_headers={"x-testupstream-status": str(status)})
    assert caught.value.status_code == status
    assert caught.value.body["type"] == "error"
    assert caught.value.body["error"] == {
        "type": {429: "rate_limit_error", 400: "invalid_request_error"}[status],
        "message": f"injected failure with status {status}"}


def test_exception_inside_a_bedrock_stream_is_an_error_event(claude):
    with pytest.raises(anthropic.APIStatusError, match="Too many tokens") as caught:
        with claude.messages.stream(
                model=MODELS["bedrock"][0], max_tokens=20,
                messages=[{"role": "user", "content": "throttle me now"}],
                extra_headers={"x-testupstream-stream-error": "throttlingException"}) as stream:
            for _ in stream:
                pass
    assert caught.value.body["error"]["type"] == "rate_limit_error"


@pytest.mark.parametrize("backend", BACKENDS)
def test_gateway_refusals_in_anthropic_schema(claude, backend):
    model = MODELS[backend][0]
    with pytest.raises(anthropic.NotFoundError) as caught:
        claude.messages.count_tokens(model=model, messages=[{"role": "user", "content": "x"}])
    assert "only by Anthropic backends" in caught.value.body["error"]["message"]
    # A document block has no OpenAI chat equivalent, so no chained backend gets it.
    with pytest.raises(anthropic.BadRequestError) as caught:
        claude.messages.create(model=model, max_tokens=10, messages=[{"role": "user", "content": [
            {"type": "document", "source": {"type": "text", "media_type": "text/plain",
                                            "data": "doc"}}]}])
    assert caught.value.body["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize("backend", ["gemini", "vertex"])
def test_thinking_becomes_thinking_blocks(claude, backend):
    # thinking.budget_tokens reaches Gemini as thinkingConfig (with includeThoughts, or
    # testupstream sends no thoughts); thought parts come back as thinking blocks.
    model, reported = MODELS[backend]
    text = f"why does {backend} think"
    request = {"model": model, "max_tokens": 4096,
               "thinking": {"type": "enabled", "budget_tokens": 2048},
               "messages": [{"role": "user", "content": text}]}
    message = claude.messages.create(**request)
    with claude.messages.stream(**request) as stream:
        thinking_deltas = [e.thinking for e in stream if e.type == "thinking"]
        final = stream.get_final_message()
    words = len(reply(backend, text).split())
    for m in (message, final):
        assert m.id.startswith("msg_") and m.model == reported
        assert [b.type for b in m.content] == ["thinking", "text"]
        assert m.content[0].thinking == f"Thinking about: {text}"
        assert m.content[1].text == reply(backend, text)
        assert m.usage.output_tokens == words + THOUGHT_TOKENS
    assert "".join(thinking_deltas) == f"Thinking about: {text}"


def test_thinking_below_anthropics_minimum_is_refused(claude):
    with pytest.raises(anthropic.BadRequestError) as caught:
        claude.messages.create(model=MODELS["gemini"][0], max_tokens=4096,
                               thinking={"type": "enabled", "budget_tokens": 100},
                               messages=[{"role": "user", "content": "x"}])
    assert "budget_tokens" in caught.value.body["error"]["message"]


@pytest.mark.parametrize("stream", [False, True])
def test_claude_on_converse_names_the_stop_sequence(claude, stream):
    # testupstream's Converse fake stops at the first stop sequence in its reply and, asked
    # for /stop_sequence (the gateway asks Claude models), names it.
    model, reported = CLAUDE_CONVERSE
    text = "stop at the right word"
    request = {"model": model, "max_tokens": 64, "stop_sequences": ["NEVER", "said"],
               "messages": [{"role": "user", "content": text}]}
    if stream:
        with claude.messages.stream(**request) as s:
            message = s.get_final_message()
    else:
        message = claude.messages.create(**request)
    assert message.id.startswith("msg_") and message.model == reported
    assert message.content[0].text.strip() == "Hello from bedrock! You"
    assert (message.stop_reason, message.stop_sequence) == ("stop_sequence", "said")
