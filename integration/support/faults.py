"""Fault injection against the gateway: one request to a provider that misbehaves
(testupstream's `x-testupstream-fault` knob), and what the client saw."""

import json
from dataclasses import dataclass
from pathlib import Path

import httpx

from .bodies import chat
from .gateway import MODEL_A

# Faults of testupstream (see testupstream/README.md).
PROVIDER_FAULTS = ("reset-mid-stream", "invalid-json", "html", "stall-before-headers",
                   "stall-mid-stream", "truncated-stream")


@dataclass
class Outcome:
    """What the client got: status (None when the connection broke before headers), body
    bytes, and whether the body ended cleanly (False: the connection broke mid-body)."""

    status: int | None
    body: bytes
    complete: bool
    timed_out: bool = False

    def json_error(self) -> dict:
        """The OpenAI-style error object of the body (fails when there is none)."""
        value = json.loads(self.body)
        assert set(value["error"]) >= {"message", "type"}, value
        return value["error"]

    def sse_events(self) -> list:
        """The `data:` payloads of a stream."""
        return [line[len("data:"):].strip() for block in self.body.decode().split("\n\n")
                for line in block.splitlines() if line.startswith("data:")]


def attempt(client: httpx.Client, fault: str, stream: bool, stall_ms: int = 0,
            timeout: float = 10.0, model: str = MODEL_A) -> Outcome:
    """Sends one chat request for `model` whose provider misbehaves with `fault`."""
    headers = {"x-testupstream-fault": fault, "x-testupstream-stall-ms": str(stall_ms)}
    body = chat(model, f"fault {fault}", stream=stream)
    raw = bytearray()
    status = None
    try:
        with client.stream("POST", "/v1/chat/completions", json=body, headers=headers,
                           timeout=timeout) as r:
            status = r.status_code
            for chunk in r.iter_raw():
                raw.extend(chunk)
    except httpx.TimeoutException:
        return Outcome(status, bytes(raw), complete=False, timed_out=True)
    except (httpx.RemoteProtocolError, httpx.ReadError):
        return Outcome(status, bytes(raw), complete=False)
    return Outcome(status, bytes(raw), complete=True)


def rss_kib(pid: int) -> int:
    """Resident set size of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")
