"""The fake provider (testupstream) and the obviously fake keys it accepts."""

from dataclasses import dataclass
from pathlib import Path

from . import paths
from .procs import Proc

# Backend ID -> fake key. testupstream answers a request as the backend whose key it carries,
# and rejects any other key, so a response naming the right ID proves the right credential.
KEYS = {
    "openai": "sk-test-openai-aaaa",
    "modelb": "sk-test-modelb-bbbb",
    "azure": "sk-test-azure-cccc",
    "gemini": "fake-gemini-key-gggg",
    "anthropic": "sk-test-anthropic-dddd",
    "cohere": "fake-cohere-key-hhhh",
    # Bedrock (SigV4): `<access key id>:<secret key>`; testupstream recomputes signatures.
    "bedrock": "AKIDFAKEBEDROCKEEEE:fake-bedrock-secret-eeee",
}
# A key that no backend has: clients send it to prove it never reaches the provider.
CLIENT_KEY = "sk-test-client-zzzz"


@dataclass
class Upstream:
    """A running testupstream."""

    proc: Proc
    port: int


def start(workdir: Path) -> Upstream:
    """Starts testupstream on a free port with every backend of `KEYS`."""
    argv = [paths.testupstream(), "--listen", "127.0.0.1:0"]
    for backend_id, key in KEYS.items():
        argv += ["--backend", f"{backend_id}={key}"]
    proc = Proc("testupstream", argv, workdir / "testupstream.log")
    m = proc.wait_for_output(r"^listening on [0-9.]+:(\d+)$")
    return Upstream(proc=proc, port=int(m.group(1)))
