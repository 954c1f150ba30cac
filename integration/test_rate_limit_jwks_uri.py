"""Rate-limit JWTs verified against a JWKS that Envoy fetches from `jwt.jwks_uri` (served
here by a small HTTP server that counts its requests): a token signed by the served key
is admitted and counted per `sub`, one signed by another key is refused, and the set was
fetched before the listener took traffic. Keys are generated for the run."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from support import own_gateway
from support.ratelimit import start_ratelimit
from support.upstream import KEYS
from test_rate_limit import wait_for_window_room

ISSUER = "https://auth.test.example"
AUDIENCE = "aigw"
KID = "fetched-1"
BUDGET = 200


class JwksServer:
    """Serves one JWKS at `/jwks.json` on a free loopback port and counts the fetches."""

    def __init__(self, jwks: dict):
        body = json.dumps(jwks).encode()
        self.fetches = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the name http.server calls)
                if self.path != "/jwks.json":
                    self.send_error(404)
                    return
                server.fetches += 1
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def token(key: rsa.RSAPrivateKey, sub: str) -> str:
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": sub, "exp": int(time.time()) + 300}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})


@pytest.fixture(scope="module")
def setup(upstream, module_kind, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"rl-jwks-uri-{module_kind}")
    key = new_key()
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": KID, "alg": "RS256", "use": "sig"})
    jwks = JwksServer({"keys": [jwk]})
    service, addr = start_ratelimit(workdir, None)
    backends = [{"name": "openai", "schema": "OpenAI",
                 "endpoint": f"http://127.0.0.1:{upstream.port}/v1",
                 "auth": {"kind": "bearer", "key_env": "AIGW_IT_OPENAI_KEY"}}]
    routes = [{"name": "chat", "models": ["gpt-4o-mini"], "backend": "openai"}]
    rate_limits = {"service": addr,
                   "jwt": {"issuer": ISSUER, "audiences": [AUDIENCE], "jwks_uri": jwks.url},
                   "limits": [{"name": "user-minute", "window": "minute", "budget_tokens": BUDGET,
                               "key": {"user_jwt_claim": "sub"}}]}
    g = own_gateway.start(workdir / "envoy", module_kind, backends, routes,
                          {"AIGW_IT_OPENAI_KEY": KEYS["openai"]}, {"rate_limits": rate_limits})
    yield g, key, jwks
    g.envoy.stop()
    service.stop()
    jwks.stop()


def chat(gateway, bearer: str) -> httpx.Response:
    body = {"model": "gpt-4o-mini", "max_tokens": 20,
            "messages": [{"role": "user", "content": " ".join(["word"] * 40)}]}
    r = httpx.post(f"{gateway.url}/v1/chat/completions", json=body, timeout=15,
                   headers={"authorization": f"Bearer {bearer}"})
    time.sleep(0.05)  # lets this request's settle land before the next one
    return r


def test_fetched_keys_verify_tokens_and_key_the_budget(setup):
    gateway, key, jwks = setup
    # Envoy fetched the set before its listener was ready (the fixture waited for /ready).
    assert jwks.fetches >= 1
    r = chat(gateway, token(new_key(), "mallory"))
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "invalid_api_key"

    wait_for_window_room()
    subject = f"alice-{time.time_ns()}"
    served, admitted = 0, 0
    for _ in range(20):
        r = chat(gateway, token(key, subject))
        if r.status_code == 429:
            break
        assert r.status_code == 200, r.text
        served += r.json()["usage"]["total_tokens"]
        admitted += 1
    print(f"\njwks_uri ({jwks.fetches} fetches): {admitted} admitted, {served} tokens, then 429")
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert admitted >= 2 and served <= BUDGET
    # Another subject has its own budget.
    assert chat(gateway, token(key, f"bob-{time.time_ns()}")).status_code == 200
