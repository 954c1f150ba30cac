"""`aigw serve` and Envoys started with its `--print-bootstrap` bootstraps."""

import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .accesslog import AccessLog
from .gateway import KEY_ENV
from .procs import Proc, free_port


@dataclass
class XdsEnvoy:
    """One Envoy driven by `aigw serve`."""

    name: str
    url: str
    access_log: AccessLog
    proc: Proc


def start_server(config: Path, kind: str, workdir: Path) -> tuple[Proc, int]:
    """Starts `aigw serve CONFIG` on a free port; returns it and the port once it listens."""
    port = free_port()
    argv = [paths.aigw(), "serve", config, "--module", kind, "--xds", f"127.0.0.1:{port}",
            "--modules-dir", paths.modules_dir(kind)]
    proc = Proc("aigw serve", argv, workdir / "aigw-serve.log")
    proc.wait_for_output(r"^aigw serve: ADS on ")
    return proc, port


def start_envoy(config: Path, kind: str, xds_port: int, name: str, workdir: Path) -> XdsEnvoy:
    """Writes `name`'s bootstrap with `aigw serve --print-bootstrap`, starts Envoy on it and
    waits until it is ready (listeners, routes, clusters and filter configs received)."""
    listen, admin = free_port(), free_port()
    access_log = workdir / f"{name}-access.log"
    out = subprocess.run(
        [str(a) for a in (paths.aigw(), "serve", config, "--module", kind,
                          "--xds", f"127.0.0.1:{xds_port}", "--modules-dir", paths.modules_dir(kind),
                          "--print-bootstrap", "--node-id", name,
                          "--listen", f"127.0.0.1:{listen}", "--admin", f"127.0.0.1:{admin}",
                          "--access-log", access_log)],
        capture_output=True, text=True, check=True)
    bootstrap = workdir / f"{name}.yaml"
    bootstrap.write_text(out.stdout)
    env = dict(KEY_ENV)
    if kind == "native":
        env["ENVOY_DYNAMIC_MODULES_SEARCH_PATH"] = str(paths.modules_dir(kind))
    argv = [paths.envoy_bin(), "-c", bootstrap, "--disable-hot-restart", "--concurrency", "1",
            "--file-flush-interval-msec", "100", "--log-level", "warn"]
    proc = Proc(f"envoy {name} ({kind})", argv, workdir / f"{name}.log", env=env)
    proc.wait_http_ok(f"http://127.0.0.1:{admin}/ready")
    return XdsEnvoy(name=name, url=f"http://127.0.0.1:{listen}", access_log=AccessLog(access_log),
                    proc=proc)
