"""A gateway of its own for tests that need a config other than the suite's (for example a
backend on a fake that lives in the test process): same rendering and Envoy flags."""

from pathlib import Path

from . import paths
from .accesslog import AccessLog
from .gateway import Gateway, config_yaml, translate
from .procs import Proc, free_port


def start(workdir: Path, kind: str, backends: list, routes: list, env: dict,
          extra: dict | None = None, concurrency: int = 1) -> Gateway:
    """Starts Envoy for `kind` on a config with `backends` and `routes` (and the sections of
    `extra`); `env` is added to Envoy's environment (credentials named by the config);
    `concurrency` worker threads."""
    workdir.mkdir(parents=True, exist_ok=True)
    listen, admin = free_port(), free_port()
    config = workdir / "gateway.yaml"
    config.write_text(config_yaml({
        "listen": f"127.0.0.1:{listen}", "admin": f"127.0.0.1:{admin}", "module": kind,
        "backends": backends, "routes": routes, **(extra or {})}))
    access_log = workdir / "access.log"
    bootstrap = workdir / "envoy.yaml"
    translate(config, kind, access_log, bootstrap)
    env = dict(env)
    if kind == "native":
        env["ENVOY_DYNAMIC_MODULES_SEARCH_PATH"] = str(paths.modules_dir(kind))
    argv = [paths.envoy_bin(), "-c", bootstrap, "--disable-hot-restart", "--concurrency", str(concurrency),
            "--file-flush-interval-msec", "100", "--log-level", "warn"]
    envoy = Proc(f"envoy ({kind}, {workdir.name})", argv, workdir / "envoy.log", env=env)
    envoy.wait_http_ok(f"http://127.0.0.1:{admin}/ready")
    return Gateway(kind=kind, url=f"http://127.0.0.1:{listen}",
                   admin_url=f"http://127.0.0.1:{admin}", access_log=AccessLog(access_log),
                   envoy=envoy)
