"""AWS SigV4 (upstream-auth kind aws_sigv4): the gateway signs the final request body, and a
fake AWS endpoint accepts it only when botocore computes the same signature."""

import datetime
import hashlib
import json

import httpx
import pytest

from support import fake_aws, own_gateway
from support.bodies import chat
from support.upstream import CLIENT_KEY

MODEL = "bedrock-signed"
REGION = "eu-west-3"
ENV = {"AIGW_IT_AWS_ID": fake_aws.ACCESS_KEY_ID, "AIGW_IT_AWS_SECRET": fake_aws.SECRET_ACCESS_KEY,
       "AIGW_IT_AWS_TOKEN": fake_aws.SESSION_TOKEN}


@pytest.fixture(scope="module")
def aws():
    fake = fake_aws.start(REGION)
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def signing_gateway(aws, module_kind, tmp_path_factory):
    backend = {"name": "aws", "schema": "OpenAI", "endpoint": f"http://127.0.0.1:{aws.port}/v1",
               "auth": {"kind": "aws_sigv4", "region": REGION,
                        "access_key_id_env": "AIGW_IT_AWS_ID",
                        "secret_access_key_env": "AIGW_IT_AWS_SECRET",
                        "session_token_env": "AIGW_IT_AWS_TOKEN"}}
    g = own_gateway.start(tmp_path_factory.mktemp(f"sigv4-{module_kind}"), module_kind,
                          [backend], [{"name": "aws", "models": [MODEL], "backend": "aws"}], ENV)
    yield g
    g.envoy.stop()


def test_verifier_rejects_a_wrong_signature(aws):
    # The fake is no rubber stamp: a request signed with another secret is refused.
    body = json.dumps(chat(MODEL, "forged")).encode()
    amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    headers = {"host": f"127.0.0.1:{aws.port}", "x-amz-date": amz_date,
               "x-amz-security-token": fake_aws.SESSION_TOKEN, "content-type": "application/json",
               "authorization": (f"AWS4-HMAC-SHA256 Credential={fake_aws.ACCESS_KEY_ID}/"
                                 f"{amz_date[:8]}/{REGION}/bedrock/aws4_request, "
                                 f"SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
                                 f"Signature={'0' * 64}")}
    r = httpx.post(f"http://127.0.0.1:{aws.port}/v1/chat/completions", content=body,
                   headers=headers)
    assert r.status_code == 403
    assert "signature mismatch" in r.json()["message"]


def test_gateway_signs_what_botocore_verifies(signing_gateway, aws):
    before = len(aws.seen)
    with signing_gateway.client() as client:
        # One request sent whole, one uploaded in chunks (the filter signs the whole body).
        r1 = client.post("/v1/chat/completions", json=chat(MODEL, "sign me, ünïcödé"),
                         headers={"authorization": f"Bearer {CLIENT_KEY}",
                                  "x-amz-security-token": "client-fake"})
        chunked = json.dumps(chat(MODEL, "chunked " * 2000)).encode()
        parts = [chunked[i:i + 4096] for i in range(0, len(chunked), 4096)]
        r2 = client.post("/v1/chat/completions", content=iter(parts),
                         headers={"content-type": "application/json"})
    seen = aws.seen[before:]
    print(f"fake AWS verdicts: {[s.verdict for s in seen]}")
    assert [s.verdict for s in seen] == ["ok", "ok"], r1.text
    assert r1.status_code == 200 and r2.status_code == 200, (r1.text, r2.text)
    for seen_request, response in zip(seen, (r1, r2)):
        assert seen_request.path == "/v1/chat/completions"
        sha = hashlib.sha256(seen_request.body).hexdigest()
        assert response.json()["choices"][0]["message"]["content"] == f"body sha256 {sha}"
        assert "content-type;host;x-amz-date;x-amz-security-token" in (
            seen_request.headers["authorization"])
    assert len(seen[1].body) == len(chunked)


def test_no_secret_in_envoy_log_or_admin(signing_gateway, aws):
    # Runs after the signed requests above: neither the secret key nor the session token
    # appears in Envoy's log or on its admin endpoints (the config names variables only).
    with signing_gateway.client() as client:
        client.post("/v1/chat/completions", json=chat(MODEL, "one more"))
    texts = {"envoy log": signing_gateway.envoy.log.read_text(errors="replace")}
    for endpoint in ("config_dump?include_eds", "stats", "clusters", "listeners",
                     "server_info"):
        texts[endpoint] = httpx.get(f"{signing_gateway.admin_url}/{endpoint}").text
    assert "AIGW_IT_AWS_SECRET" in texts["config_dump?include_eds"]
    for name, text in texts.items():
        for secret in (fake_aws.SECRET_ACCESS_KEY, fake_aws.SESSION_TOKEN):
            assert secret not in text, f"secret found in {name}"
