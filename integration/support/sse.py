"""Reading server-sent events as they arrive."""

import json
import time
from dataclasses import dataclass, field

import httpx


@dataclass
class Stream:
    """A streamed response: status, headers, raw bytes, the `data:` payloads in order, and
    when (seconds after the request) each network chunk arrived."""

    status: int
    headers: httpx.Headers
    raw: bytes
    events: list = field(default_factory=list)
    arrivals: list = field(default_factory=list)

    def json_events(self) -> list:
        """Every `data:` payload except `[DONE]`, parsed."""
        return [json.loads(e) for e in self.events if e != "[DONE]"]


def stream_post(client: httpx.Client, path: str, body: dict, headers: dict | None = None) -> Stream:
    """POSTs `body` and reads the response chunk by chunk."""
    start = time.monotonic()
    raw = bytearray()
    arrivals = []
    with client.stream("POST", path, json=body, headers=headers or {}) as r:
        for chunk in r.iter_raw():
            raw.extend(chunk)
            arrivals.append(time.monotonic() - start)
        status, resp_headers = r.status_code, r.headers
    events = []
    for block in bytes(raw).decode().split("\n\n"):
        for line in block.splitlines():
            if line.startswith("data:"):
                events.append(line[len("data:"):].strip())
    return Stream(status=status, headers=resp_headers, raw=bytes(raw), events=events,
                  arrivals=arrivals)
