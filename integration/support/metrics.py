"""GenAI metrics as Envoy's admin `/stats/prometheus` shows them for each artifact kind."""

import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

# Prometheus name prefixes of the filters' metrics per artifact kind (docs/internals.md):
# Envoy 1.40 strips the registered `wasmcustom` namespace from Prometheus names, so wasm
# metrics have no prefix there; `wasmcustom_` is accepted too.
PREFIXES = {"native": ("envoy_dynamicmodulescustom_",), "wasm": ("wasmcustom_", "")}

TOKEN_USAGE = "gen_ai_client_token_usage"
REQUEST_DURATION = "gen_ai_server_request_duration"
TIME_TO_FIRST_TOKEN = "gen_ai_server_time_to_first_token"
TIME_PER_OUTPUT_TOKEN = "gen_ai_server_time_per_output_token"
MCP_OPERATION_DURATION = "mcp_server_operation_duration"


def scrape(admin_url: str) -> list:
    """Every sample as (name, labels, value)."""
    text = httpx.get(f"{admin_url}/stats/prometheus", timeout=5.0).text
    return [(s.name, s.labels, s.value)
            for fam in text_string_to_metric_families(text) for s in fam.samples]


def histogram(samples: list, kind: str, metric: str, labels: dict) -> tuple:
    """(count, sum) of histogram `metric` over every series whose labels include `labels`."""
    bases = {p + metric for p in PREFIXES[kind]}
    count = total = 0.0
    for name, lbls, value in samples:
        if not all(lbls.get(k) == v for k, v in labels.items()):
            continue
        base, _, suffix = name.rpartition("_")
        if base not in bases:
            continue
        if suffix == "count":
            count += value
        elif suffix == "sum":
            total += value
    return count, total


def wait_histogram(admin_url: str, kind: str, metric: str, labels: dict, count: float,
                   timeout: float = 6.0) -> tuple:
    """Polls until histogram `metric` with `labels` has at least `count` records (stats flush
    every second); returns (count, sum). Fails naming what was seen."""
    deadline = time.monotonic() + timeout
    seen = (0.0, 0.0)
    while time.monotonic() < deadline:
        seen = histogram(scrape(admin_url), kind, metric, labels)
        if seen[0] >= count:
            return seen
        time.sleep(0.2)
    names = sorted({n for n, _, _ in scrape(admin_url) if "gen_ai" in n})
    pytest.fail(f"{kind} {metric}{labels}: wanted {count} records, saw {seen[0]} "
                f"after {timeout:.0f} s; gen_ai series present: {names}", pytrace=False)
