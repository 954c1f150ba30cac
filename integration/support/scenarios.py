"""Scenarios the native-vs-wasm equivalence test sends to both builds."""

from dataclasses import dataclass, field

from .bodies import chat
from .gateway import MODEL_A, MODEL_AZURE, MODEL_B
from .upstream import CLIENT_KEY


@dataclass
class Scenario:
    """One request: a JSON body (or raw bytes) to a path, with extra headers."""

    name: str
    path: str
    body: dict | None = None
    raw: bytes | None = None
    stream: bool = False
    headers: dict = field(default_factory=dict)


SCENARIOS = [
    Scenario("chat", "/v1/chat/completions", chat(MODEL_A, "same answer from both builds"),
             headers={"authorization": f"Bearer {CLIENT_KEY}"}),
    Scenario("chat-model-b", "/v1/chat/completions", chat(MODEL_B, "model b please")),
    Scenario("chat-azure", "/v1/chat/completions", chat(MODEL_AZURE, "azure override")),
    Scenario("stream", "/v1/chat/completions",
             chat(MODEL_A, "stream the same bytes", stream=True, include_usage=True), stream=True),
    Scenario("stream-forced-usage", "/v1/chat/completions",
             chat(MODEL_A, "usage nobody asked for", stream=True), stream=True),
    Scenario("stream-azure", "/v1/chat/completions",
             chat(MODEL_AZURE, "azure stream", stream=True), stream=True),
    Scenario("completions", "/v1/completions", {"model": MODEL_A, "prompt": "complete me"}),
    Scenario("completions-stream", "/v1/completions",
             {"model": MODEL_A, "prompt": "stream me", "stream": True}, stream=True),
    Scenario("embeddings", "/v1/embeddings", {"model": MODEL_A, "input": "embed me"}),
    Scenario("malformed-json", "/v1/chat/completions", raw=b'{"model": '),
    Scenario("missing-model", "/v1/chat/completions",
             {"messages": [{"role": "user", "content": "x"}]}),
    Scenario("too-large", "/v1/chat/completions", chat(MODEL_A, "word " * (1024 * 1024))),
    Scenario("unknown-model", "/v1/chat/completions", chat("no-such-model", "x")),
    Scenario("provider-error", "/v1/chat/completions", chat(MODEL_A, "fail please"),
             headers={"x-testupstream-status": "429"}),
]

# Response headers that must be equal between the builds (others, like date, differ).
COMPARED_HEADERS = ("content-type", "content-length", "x-testupstream-backend", "x-aigw-backend")
