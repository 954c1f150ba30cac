"""token-usage's per-request metadata, as the access log shows it."""

from support.accesslog import metadata
from support.bodies import chat, chat_usage, request_id
from support.gateway import AZURE_DEPLOYMENT, COSTS, MODEL_A, MODEL_AZURE
from support.sse import stream_post


def test_metadata_of_a_chat_completion(client, gateway):
    text = "log my token usage"
    rid = request_id()
    r = client.post("/v1/chat/completions", json=chat(MODEL_A, text), headers={"x-request-id": rid})
    assert r.status_code == 200, r.text
    usage = chat_usage(text, "openai")
    entry = gateway.access_log.entry(rid)
    assert entry["status"] == 200
    assert entry["model"] == MODEL_A
    assert entry["upstream_cluster"] == "aigw-backend-openai"
    assert metadata(entry, COSTS) == {
        "input_tokens": usage["prompt_tokens"],
        "output_tokens": usage["completion_tokens"],
        "total_tokens": usage["total_tokens"],
        "cached_input_tokens": 0,
        "cache_creation_input_tokens": 0,
        "reasoning_tokens": 0,
        "llm_input_token": usage["prompt_tokens"],
        "llm_total_token": usage["total_tokens"],
        "request_model": MODEL_A,
        "response_model": MODEL_A,
        "backend": "openai",
    }


def test_metadata_of_an_overridden_azure_request(client, gateway):
    text = "azure usage"
    rid = request_id()
    r = client.post("/v1/chat/completions", json=chat(MODEL_AZURE, text),
                    headers={"x-request-id": rid})
    assert r.status_code == 200, r.text
    meta = metadata(gateway.access_log.entry(rid), COSTS)
    assert meta["request_model"] == MODEL_AZURE
    assert meta["response_model"] == AZURE_DEPLOYMENT
    assert meta["backend"] == "azure"
    assert meta["total_tokens"] == chat_usage(text, "azure")["total_tokens"]


def test_stream_usage_is_counted_even_when_the_client_did_not_ask(client, gateway):
    # Costs are configured, so translate forces stream_options.include_usage upstream.
    text = "count my streamed tokens"
    rid = request_id()
    s = stream_post(client, "/v1/chat/completions", chat(MODEL_A, text, stream=True),
                    headers={"x-request-id": rid})
    assert s.status == 200, s.raw
    assert s.events[-1] == "[DONE]"
    usage = chat_usage(text, "openai")
    meta = metadata(gateway.access_log.entry(rid), COSTS)
    assert meta["input_tokens"] == usage["prompt_tokens"]
    assert meta["output_tokens"] == usage["completion_tokens"]
    assert meta["llm_total_token"] == usage["total_tokens"]
    assert meta["backend"] == "openai"
