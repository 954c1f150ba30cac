"""MCP authorization end to end (both artifacts): the gateway demands a bearer JWT (MCP
authorization spec), answers the OAuth protected-resource metadata and `WWW-Authenticate`
challenges, refuses tokens with a wrong signature, issuer, audience or expiry, and applies
per-tool CEL rules; a denied call is a JSON-RPC error and never reaches the server. Driven by
the official `mcp` client with real MCP servers behind the gateway. The same with the keys
fetched from the issuer's `jwks_uri`: fetched once and cached, fetched again for a rotated
key, and a 503 while they cannot be had."""

import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from jwt.algorithms import RSAAlgorithm
from mcp.shared.exceptions import McpError

from support import mcp_gateway, metrics, test_keys
from support.accesslog import AccessLog
from support.jwks_server import PATH as JWKS_PATH
from support.jwks_server import JwksServer
from support.mcp_client import in_session
from support.procs import free_port

RESOURCE = "https://gw.test.example/mcp"
ISSUER = "https://auth.test.example"
DENIED = -32001
RULES = [
    {"name": "non-calls", "allow": "method != 'tools/call'"},
    {"name": "received", "allow": "tool == 'received'"},
    {"name": "alpha-add", "allow": "server == 'alpha' && tool == 'add' && 'mcp:tools' in scopes"},
    {"name": "beta-ops", "allow": "server == 'beta' && 'ops' in claims.groups"
                                  " && arguments.text != 'forbidden'"},
]


@pytest.fixture(scope="module")
def gw(module_kind, tmp_path_factory):
    authorization = {
        "resource": RESOURCE, "issuer": ISSUER,
        "jwks": test_keys.JWKS,
        "scopes_supported": ["mcp:tools"], "rules": RULES,
    }
    g = mcp_gateway.start(tmp_path_factory.mktemp(f"mcp-authz-{module_kind}"), module_kind,
                          authorization)
    yield g
    g.stop()


def token(key: str = test_keys.RSA_TEST_KEY, kid: str = test_keys.RSA_KID, alg: str = "RS256",
          **claims) -> str:
    body = {"iss": ISSUER, "aud": RESOURCE, "sub": "alice", "exp": int(time.time()) + 300,
            "scope": "mcp:tools", "groups": ["ops"]}
    body.update(claims)
    return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})


def with_session(url: str, bearer: str, work):
    """Runs `work(session)` in an initialized `mcp` client session sending `bearer`."""
    return in_session(url, work, headers={"authorization": f"Bearer {bearer}"})[1]


def metadata_url(url: str) -> str:
    return url.replace("/mcp", "/.well-known/oauth-protected-resource/mcp")


def test_protected_resource_metadata(gw):
    res = httpx.get(metadata_url(gw.url), timeout=10)
    assert res.status_code == 200
    assert res.json() == {"resource": RESOURCE, "authorization_servers": [ISSUER],
                          "bearer_methods_supported": ["header"],
                          "scopes_supported": ["mcp:tools"]}


INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}


@pytest.mark.parametrize("case", ["missing", "wrong-signature", "wrong-issuer", "wrong-audience",
                                  "expired", "unknown-kid"])
def test_bad_tokens_get_a_401_challenge(gw, case):
    bad = {
        "missing": None,
        "wrong-signature": token(key=test_keys.RSA_OTHER_KEY),
        "wrong-issuer": token(iss="https://evil.test.example"),
        "wrong-audience": token(aud="https://other.test.example/mcp"),
        "expired": token(exp=int(time.time()) - 3600),
        "unknown-kid": token(kid="nope"),
    }[case]
    headers = dict(HEADERS)
    if bad is not None:
        headers["authorization"] = f"Bearer {bad}"
    res = httpx.post(gw.url, json=INIT, headers=headers, timeout=10)
    assert res.status_code == 401
    challenge = res.headers["www-authenticate"]
    assert challenge.startswith('Bearer resource_metadata="https://gw.test.example/'
                                '.well-known/oauth-protected-resource/mcp"'), challenge
    if case == "missing":
        assert "error=" not in challenge
    else:
        assert 'error="invalid_token"' in challenge
        assert res.json()["error"] == "invalid_token"


def test_an_ec_token_is_accepted_and_allowed_tools_run(gw):
    ec = token(key=test_keys.EC_TEST_KEY, kid=test_keys.EC_KID, alg="ES256")

    async def work(session):
        names = [t.name for t in (await session.list_tools()).tools]
        added = await session.call_tool("alpha__add", {"a": 1, "b": 2})
        shouted = await session.call_tool("beta__shout", {"text": "hi"})
        return names, added, shouted
    names, added, shouted = with_session(gw.url, ec, work)
    assert "alpha__add" in names
    assert not added.isError and added.content[0].text == "3"
    assert not shouted.isError and shouted.content[0].text == "HI"


async def call_denied(session, name: str, args: dict):
    """Calls a tool expected to be refused; the JSON-RPC error code and message, or None."""
    try:
        await session.call_tool(name, args)
    except McpError as e:
        return e.error.code, e.error.message
    return None


def received(gw, server: str) -> str:
    """The calls `server` ran so far (its `received` tool, asked with a full token)."""
    async def work(session):
        return (await session.call_tool(f"{server}__received", {})).content[0].text
    return with_session(gw.url, token(), work)


@pytest.mark.parametrize("claims,name,args", [
    ({"scope": "other"}, "alpha__add", {"a": 1, "b": 2}),
    ({"scope": "other"}, "alpha__count_slowly", {"n": 1}),
    ({"groups": ["dev"]}, "beta__shout", {"text": "x"}),
    ({}, "beta__echo", {"text": "forbidden"}),
])
def test_denied_calls_are_json_rpc_errors_and_never_reach_the_server(gw, claims, name, args):
    server = name.split("__")[0]
    before = received(gw, server)

    async def work(session):
        return await call_denied(session, name, args)
    refused = with_session(gw.url, token(**claims), work)
    assert refused is not None and refused[0] == DENIED, refused
    assert "access denied" in refused[1]
    assert received(gw, server) == before, "a denied call reached the server"


@pytest.mark.parametrize("claims,listed", [
    # `count_slowly` is allowed by no rule; `echo` and `shout` depend on the call's arguments
    # (rule beta-ops), so they stay listed and each call is checked.
    ({}, ["alpha__received", "alpha__add", "beta__received", "beta__echo", "beta__shout"]),
    # No `ops` group and no scope: only the `received` tools can ever be called.
    ({"scope": "other", "groups": []}, ["alpha__received", "beta__received"]),
])
def test_tools_list_leaves_out_tools_the_caller_may_not_call(gw, claims, listed):
    async def work(session):
        return [t.name for t in (await session.list_tools()).tools]
    names = with_session(gw.url, token(**claims), work)
    assert sorted(names) == sorted(listed)
    assert names.index("alpha__received") < names.index("beta__received"), "config order"


def raw_call(gw, bearer: str, session_id: str, request_id: str, name: str, args: dict) -> dict:
    """POSTs a `tools/call` with `x-request-id: request_id`; the JSON-RPC answer."""
    headers = {**HEADERS, "authorization": f"Bearer {bearer}", "mcp-session-id": session_id,
               "mcp-protocol-version": "2025-11-25", "x-request-id": request_id}
    body = {"jsonrpc": "2.0", "id": 7, "method": "tools/call",
            "params": {"name": name, "arguments": args}}
    res = httpx.post(gw.url, json=body, headers=headers, timeout=10)
    assert res.status_code == 200, res.text
    return mcp_gateway.rpc_answer(res)


def test_calls_are_measured_and_logged_denied_ones_as_denied(gw, module_kind):
    bearer = token()
    init = httpx.post(gw.url, json=INIT, timeout=10,
                      headers={**HEADERS, "authorization": f"Bearer {bearer}"})
    assert init.status_code == 200, init.text
    session_id = init.headers["mcp-session-id"]
    ran = {"mcp_method_name": "tools/call", "gen_ai_tool_name": "add",
           "aigw_mcp_server": "alpha", "mcp_protocol_version": "2025-11-25"}
    denied = {"mcp_method_name": "tools/call", "error_type": "denied",
              "aigw_mcp_server": "beta"}
    samples = metrics.scrape(gw.admin_url)
    before = {name: metrics.histogram(samples, module_kind, metrics.MCP_OPERATION_DURATION,
                                      labels)[0]
              for name, labels in (("ran", ran), ("denied", denied))}

    answer = raw_call(gw, bearer, session_id, f"mcp-ran-{module_kind}", "alpha__add",
                      {"a": 2, "b": 3})
    assert answer["result"]["content"][0]["text"] == "5"
    answer = raw_call(gw, bearer, session_id, f"mcp-denied-{module_kind}", "beta__echo",
                      {"text": "forbidden"})
    assert answer["error"]["code"] == DENIED

    metrics.wait_histogram(gw.admin_url, module_kind, metrics.MCP_OPERATION_DURATION, ran,
                           before["ran"] + 1)
    metrics.wait_histogram(gw.admin_url, module_kind, metrics.MCP_OPERATION_DURATION, denied,
                           before["denied"] + 1)
    # The denied call's tool name is the client's choice: never a label value.
    for name, labels, _ in metrics.scrape(gw.admin_url):
        if labels.get("error_type") == "denied":
            assert labels.get("gen_ai_tool_name", "") == "", (name, labels)

    log = AccessLog(gw.access_log)
    ran_line = log.entry(f"mcp-ran-{module_kind}")
    assert (ran_line["mcp_method"], ran_line["mcp_server"], ran_line["mcp_tool"]) == \
        ("tools/call", "alpha", "add")
    assert ran_line["mcp_error"] is None
    denied_line = log.entry(f"mcp-denied-{module_kind}")
    assert (denied_line["mcp_method"], denied_line["mcp_server"], denied_line["mcp_tool"],
            denied_line["mcp_error"]) == ("tools/call", "beta", "echo", "denied")


# Keys fetched from the issuer's jwks_uri (served by support.jwks_server, fetches counted):
# replica 1 fetches from a running server; replica 2 from a port where nothing listens yet.

ROTATED_KID = "test-rsa-rotated"


@pytest.fixture(scope="module")
def fetched(module_kind, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"mcp-jwks-{module_kind}")
    issuer = JwksServer(test_keys.JWKS)
    down_port = free_port()
    servers, ports = [], {}
    for name in ("alpha", "beta"):
        proc, ports[name] = mcp_gateway.start_server(name, workdir)
        servers.append(proc)
    procs = list(servers)
    try:
        urls = []
        for replica, uri in ((1, issuer.url), (2, f"http://127.0.0.1:{down_port}{JWKS_PATH}")):
            authorization = {"resource": RESOURCE, "issuer": ISSUER, "jwks_uri": uri,
                             "scopes_supported": ["mcp:tools"], "rules": RULES}
            envoy, url, _ = mcp_gateway.start_envoy(
                workdir, module_kind, mcp_gateway.default_servers(ports), replica, authorization)
            procs.append(envoy)
            urls.append(url)
        yield {"url": urls[0], "down_url": urls[1], "issuer": issuer, "down_port": down_port,
               "logs": [workdir / "envoy-1.log", workdir / "envoy-2.log"]}
    finally:
        for p in procs:
            p.stop()
        issuer.stop()


def post_init(url: str, bearer: str) -> httpx.Response:
    headers = {**HEADERS, "authorization": f"Bearer {bearer}"}
    return httpx.post(url, json=INIT, headers=headers, timeout=15)


def test_fetched_keys_serve_many_requests_with_one_fetch(fetched):
    assert fetched["issuer"].count() == 0, "keys are fetched when a request needs them"
    ec = token(key=test_keys.EC_TEST_KEY, kid=test_keys.EC_KID, alg="ES256")

    async def work(session):
        return (await session.call_tool("alpha__add", {"a": 2, "b": 5})).content[0].text
    for bearer in (token(), ec, token()):
        assert with_session(fetched["url"], bearer, work) == "7"
    for _ in range(5):
        assert post_init(fetched["url"], token()).status_code == 200
    assert fetched["issuer"].count() == 1


@pytest.mark.parametrize("case", ["wrong-signature", "wrong-issuer", "wrong-audience",
                                  "expired"])
def test_fetched_keys_refuse_bad_tokens(fetched, case):
    assert post_init(fetched["url"], token()).status_code == 200
    before = fetched["issuer"].count()
    bad = {
        "wrong-signature": token(key=test_keys.RSA_OTHER_KEY),
        "wrong-issuer": token(iss="https://evil.test.example"),
        "wrong-audience": token(aud="https://other.test.example/mcp"),
        "expired": token(exp=int(time.time()) - 3600),
    }[case]
    res = post_init(fetched["url"], bad)
    assert res.status_code == 401
    assert 'error="invalid_token"' in res.headers["www-authenticate"]
    assert fetched["issuer"].count() == before, "a bad token of a known key fetches nothing"


def test_a_rotated_key_is_fetched_once_and_unknown_kids_do_not_hammer_the_issuer(fetched):
    assert post_init(fetched["url"], token()).status_code == 200
    before = fetched["issuer"].count()
    other = serialization.load_pem_private_key(test_keys.RSA_OTHER_KEY.encode(), None)
    rotated = {**RSAAlgorithm.to_jwk(other.public_key(), as_dict=True),
               "kid": ROTATED_KID, "use": "sig", "alg": "RS256"}
    fetched["issuer"].publish({"keys": [*test_keys.JWKS["keys"], rotated]})
    res = post_init(fetched["url"], token(key=test_keys.RSA_OTHER_KEY, kid=ROTATED_KID))
    assert res.status_code == 200, res.text
    assert fetched["issuer"].count() == before + 1
    for kid in ("nope-1", "nope-2", "nope-3"):
        res = post_init(fetched["url"], token(kid=kid))
        assert res.status_code == 401
    assert fetched["issuer"].count() == before + 1, "unknown kids refetch at most every 30 s"
    # The old key still verifies.
    assert post_init(fetched["url"], token()).status_code == 200


def test_an_unreachable_jwks_uri_answers_503_then_recovers(fetched):
    for _ in range(2):
        res = post_init(fetched["down_url"], token())
        assert res.status_code == 503, res.text
        assert res.json()["error"] == "temporarily_unavailable"
        assert "www-authenticate" not in res.headers
    log = "\n".join(p.read_text() for p in fetched["logs"])
    assert "JWKS fetch from" in log and "failed" in log
    assert token() not in log
    # Without a token the client is still told how to get one.
    res = httpx.post(fetched["down_url"], json=INIT, headers=HEADERS, timeout=10)
    assert res.status_code == 401
    issuer = JwksServer(test_keys.JWKS, port=fetched["down_port"])
    try:
        res = post_init(fetched["down_url"], token())
        assert res.status_code == 200, res.text
        assert issuer.count() == 1, "a later request fetches again"
    finally:
        issuer.stop()
