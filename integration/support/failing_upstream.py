"""Failing providers for fallback tests: testupstream with `--fault`."""

from pathlib import Path

from . import paths
from .procs import Proc


def start(workdir: Path, fault: str) -> tuple:
    """Starts a testupstream that fails every request with `fault` (`status:503`, `stall`,
    `reset`); returns (proc, port)."""
    name = fault.replace(":", "-")
    argv = [paths.testupstream(), "--listen", "127.0.0.1:0", "--fault", fault]
    proc = Proc(f"testupstream --fault {fault}", argv, workdir / f"fault-{name}.log")
    m = proc.wait_for_output(r"^listening on [0-9.]+:(\d+)$")
    return proc, int(m.group(1))
