"""Model-server pools for inference pool tests: testupstream fakes on loopback addresses of
their own (one port, as pods of a pool share the target port) and `fake-epp` pickers."""

from pathlib import Path

from . import paths
from .procs import Proc


def fake_epp() -> Path:
    """The release fake endpoint picker."""
    return paths.require_built("fake-epp")


def start_server(workdir: Path, ip: str, port: int, backend_id: str, key: str) -> tuple:
    """Starts a testupstream on `ip:port` (port 0: a free one) answering as `backend_id`;
    returns (proc, port)."""
    argv = [paths.testupstream(), "--listen", f"{ip}:{port}", "--backend", f"{backend_id}={key}"]
    proc = Proc(f"model server {backend_id}", argv, workdir / f"server-{backend_id}.log")
    m = proc.wait_for_output(r"^listening on [0-9.]+:(\d+)$")
    return proc, int(m.group(1))


def start_picker(workdir: Path, name: str, endpoints: list, answer: str) -> tuple:
    """Starts a fake-epp picking round robin among `endpoints` (`ip:port`), answering by
    `header`, `metadata` or `both`; returns (proc, port)."""
    argv = [fake_epp(), "--listen", "127.0.0.1:0", "--answer", answer, "--verbose"]
    for e in endpoints:
        argv += ["--endpoint", e]
    proc = Proc(f"fake-epp {name}", argv, workdir / f"epp-{name}.log")
    m = proc.wait_for_output(r"^listening on [0-9.]+:(\d+)$")
    return proc, int(m.group(1))
