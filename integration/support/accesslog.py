"""Reading the gateway's JSON access log (one object per request, see docs/internals.md)."""

import json
import time
from pathlib import Path

import pytest

# Metadata keys token-usage writes (namespace io.envoy.ai_gateway) that hold numbers.
NUMBER_KEYS = ("input_tokens", "output_tokens", "total_tokens", "cached_input_tokens",
               "cache_creation_input_tokens", "reasoning_tokens")
# Metadata keys that hold strings.
STRING_KEYS = ("request_model", "response_model", "backend")


class AccessLog:
    """The access log file of one Envoy (flushed every 100 ms by the suite's Envoy flags)."""

    def __init__(self, path: Path):
        self.path = path

    def entries(self) -> list:
        """Every complete JSON line written so far."""
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text().splitlines():
            line = line.strip()
            if line:
                out.append(json.loads(line))
        return out

    def entry(self, request_id: str, timeout: float = 5.0) -> dict:
        """The line of the request sent with `x-request-id: request_id`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for e in self.entries():
                if e.get("request_id") == request_id:
                    return e
            time.sleep(0.05)
        pytest.fail(f"no access log line with request_id {request_id} in {self.path} after "
                    f"{timeout:.0f} s", pytrace=False)


def number(value):
    """A numeric metadata value as a number: native logs write JSON numbers, wasm logs
    write filter-state text; both must hold the same integer."""
    if value is None or isinstance(value, (int, float)):
        return value
    return float(value)


def metadata(entry: dict, cost_keys=()) -> dict:
    """The gateway metadata of a log line, numbers normalised with `number`."""
    out = {k: number(entry.get(k)) for k in (*NUMBER_KEYS, *cost_keys)}
    out.update({k: entry.get(k) for k in STRING_KEYS})
    return out
