"""Failing providers for fallback tests: testupstream with `--fault`."""

from pathlib import Path

from . import paths
from .procs import Proc


def start(workdir: Path, *faults: str) -> tuple:
    """Starts a testupstream that fails every request with one of `faults` (`status:503`,
    `stall`, `reset`), taking them in turn, one per request; returns (proc, port)."""
    name = "-".join(f.replace(":", "-") for f in faults)
    argv = [paths.testupstream(), "--listen", "127.0.0.1:0"]
    for fault in faults:
        argv += ["--fault", fault]
    proc = Proc(f"testupstream --fault {' '.join(faults)}", argv, workdir / f"fault-{name}.log")
    m = proc.wait_for_output(r"^listening on [0-9.]+:(\d+)$")
    return proc, int(m.group(1))
