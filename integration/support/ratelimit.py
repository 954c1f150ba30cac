"""`aigw ratelimit`, the rate-limit service Envoy's ratelimit filter asks."""

from pathlib import Path

from . import paths
from .procs import Proc


def start_ratelimit(workdir: Path, redis_url: str | None) -> tuple:
    """Starts `aigw ratelimit` on a free loopback port, counting in Redis at `redis_url` or,
    without it, in memory; returns (proc, "host:port")."""
    argv = [paths.aigw(), "ratelimit", "--listen", "127.0.0.1:0"]
    if redis_url:
        argv += ["--redis", redis_url]
    proc = Proc("aigw ratelimit", argv, workdir / "ratelimit.log")
    m = proc.wait_for_output(r"^listening on (\S+) ")
    return proc, m.group(1)
