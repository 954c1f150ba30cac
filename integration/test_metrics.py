"""GenAI metrics at Envoy's /stats/prometheus, with the prefix of the artifact kind.

The test uses models no other test sends, so the series it checks are its own."""

import time

from support import metrics as m
from support.bodies import chat, chat_usage
from support.gateway import MODEL_METRICS, MODEL_METRICS_STREAM
from support.sse import stream_post

PLAIN_REQUESTS = 3
STREAM_REQUESTS = 2


def close_to(actual: float, expected: float, records: float) -> bool:
    """Envoy histogram sums are approximate (bin midpoints): allow half a unit per record
    plus 1 %."""
    return abs(actual - expected) <= 0.5 * records + 0.01 * expected


def test_genai_metrics(client, gateway):
    kind, admin = gateway.kind, gateway.admin_url
    texts = [f"metrics request number {i} " + "word " * i for i in range(PLAIN_REQUESTS)]
    for text in texts:
        r = client.post("/v1/chat/completions", json=chat(MODEL_METRICS, text))
        assert r.status_code == 200, r.text
    stream_text = "streamed metrics with several output words"
    for _ in range(STREAM_REQUESTS):
        s = stream_post(client, "/v1/chat/completions",
                        chat(MODEL_METRICS_STREAM, stream_text, stream=True, include_usage=True),
                        headers={"x-testupstream-chunk-delay-ms": "5"})
        assert s.status == 200, s.raw

    plain = {"gen_ai_request_model": MODEL_METRICS, "gen_ai_operation_name": "chat",
             "aigw_backend": "openai", "gen_ai_response_model": MODEL_METRICS}
    usages = [chat_usage(t, "openai") for t in texts]
    for token_type, field in (("input", "prompt_tokens"), ("output", "completion_tokens")):
        labels = {**plain, "gen_ai_token_type": token_type}
        count, total = m.wait_histogram(admin, kind, m.TOKEN_USAGE, labels, PLAIN_REQUESTS)
        assert count == PLAIN_REQUESTS, labels
        expected = sum(u[field] for u in usages)
        assert close_to(total, expected, count), (labels, total, expected)
    count, _ = m.wait_histogram(admin, kind, m.REQUEST_DURATION, plain, PLAIN_REQUESTS)
    assert count == PLAIN_REQUESTS

    stream = {"gen_ai_request_model": MODEL_METRICS_STREAM, "aigw_backend": "openai"}
    susage = chat_usage(stream_text, "openai")
    labels = {**stream, "gen_ai_token_type": "output"}
    count, total = m.wait_histogram(admin, kind, m.TOKEN_USAGE, labels, STREAM_REQUESTS)
    assert count == STREAM_REQUESTS
    assert close_to(total, STREAM_REQUESTS * susage["completion_tokens"], count)
    for metric in (m.REQUEST_DURATION, m.TIME_TO_FIRST_TOKEN, m.TIME_PER_OUTPUT_TOKEN):
        count, _ = m.wait_histogram(admin, kind, metric, stream, STREAM_REQUESTS)
        assert count == STREAM_REQUESTS, metric
    # Time to first token is only recorded for streams.
    assert m.histogram(m.scrape(admin), kind, m.TIME_TO_FIRST_TOKEN, plain)[0] == 0

    # No record is counted twice: after another flush the counts are unchanged.
    time.sleep(1.2)
    samples = m.scrape(admin)
    assert m.histogram(samples, kind, m.TOKEN_USAGE, {**plain, "gen_ai_token_type": "input"})[0] \
        == PLAIN_REQUESTS
    assert m.histogram(samples, kind, m.TIME_TO_FIRST_TOKEN, stream)[0] == STREAM_REQUESTS
