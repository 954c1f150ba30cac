"""`aigw healthcheck` asks a running gateway's admin /ready: exit 0 when ready, 1 otherwise."""

import subprocess

from support import paths
from support.procs import free_port


def healthcheck(admin: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(paths.aigw()), "healthcheck", "--admin", admin],
                          capture_output=True, text=True, timeout=30)


def test_ready_gateway_passes(gateway):
    res = healthcheck(gateway.admin_url.removeprefix("http://"))
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("ready: ")


def test_nothing_listening_fails():
    admin = f"127.0.0.1:{free_port()}"
    res = healthcheck(admin)
    assert res.returncode == 1
    assert f"not ready: http://{admin}/ready" in res.stderr
