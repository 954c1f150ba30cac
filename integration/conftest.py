"""Fixtures: testupstream, the gateway (Envoy + filters) per artifact kind, HTTP clients.

The artifact kind comes from `--module native|wasm` or the AIGW_MODULE environment variable
(default native). Processes live for the whole session; their logs stay in the session's
temporary directory and are printed when a test fails."""

import os

import pytest

from support import gateway as gw
from support import paths
from support import upstream as up


def pytest_addoption(parser):
    parser.addoption("--module", choices=paths.MODULE_KINDS, default=None,
                     help="filter artifact kind under test (default: $AIGW_MODULE or native)")


@pytest.fixture(scope="session")
def module_kind(request) -> str:
    """The artifact kind under test."""
    kind = request.config.getoption("--module") or os.environ.get("AIGW_MODULE", "native")
    if kind not in paths.MODULE_KINDS:
        pytest.fail(f"AIGW_MODULE={kind!r}: expected one of {paths.MODULE_KINDS}", pytrace=False)
    return kind


@pytest.fixture(scope="session")
def upstream(tmp_path_factory):
    """testupstream with every backend of support.upstream.KEYS."""
    u = up.start(tmp_path_factory.mktemp("testupstream"))
    yield u
    u.proc.stop()


@pytest.fixture(scope="session")
def gateway_factory(upstream, tmp_path_factory):
    """Starts (once per kind) the gateway of an artifact kind."""
    started = {}

    def get(kind: str) -> gw.Gateway:
        if kind not in started:
            started[kind] = gw.start(upstream, tmp_path_factory.mktemp(f"gateway-{kind}"), kind)
        return started[kind]

    yield get
    panics = []
    for g in started.values():
        g.envoy.stop()
        panics += [f"envoy ({g.kind}): {line}" for line in g.panic_lines()]
    if panics:
        pytest.fail("filters panicked during the session:\n" + "\n".join(panics), pytrace=False)


@pytest.fixture(scope="session")
def gateway(gateway_factory, module_kind) -> gw.Gateway:
    """The gateway of the artifact kind under test."""
    return gateway_factory(module_kind)


@pytest.fixture
def client(gateway):
    """An HTTP client for the gateway under test."""
    with gateway.client() as c:
        yield c


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attaches the gateway's Envoy log tail to failing tests."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        g = item.funcargs.get("gateway")
        if isinstance(g, gw.Gateway):
            report.sections.append((f"envoy ({g.kind}) log tail", g.envoy.tail(40)))
