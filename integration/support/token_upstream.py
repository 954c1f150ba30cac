"""testupstream as a token provider (OAuth2, Google, STS) for the credential tests: start one
with a token config, read how many tokens each backend fetched, and hand the gateway a
token or key the way each module kind can read it."""

import json
from pathlib import Path

import httpx

from support import paths
from support.procs import Proc


def start(workdir: Path, name: str, clients: list, backends: dict, lifetime_s: int = 600,
          delay_ms: int = 0) -> tuple[Proc, int]:
    """testupstream issuing tokens to `clients` (the provider side, which holds the secrets),
    answering as `backends` (name -> static key); returns the process and its port."""
    config = workdir / f"testupstream-{name}-tokens.json"
    config.write_text(json.dumps({"lifetime_s": lifetime_s, "delay_ms": delay_ms,
                                  "clients": clients}))
    argv = [paths.testupstream(), "--listen", "127.0.0.1:0", "--token-config", config]
    for backend, key in backends.items():
        argv += ["--backend", f"{backend}={key}"]
    proc = Proc(f"testupstream ({name})", argv, workdir / f"testupstream-{name}.log")
    port = int(proc.wait_for_output(r"^listening on [0-9.]+:(\d+)$").group(1))
    return proc, port


def fetches(port: int) -> dict:
    """Tokens issued so far, by backend."""
    return httpx.get(f"http://127.0.0.1:{port}/testupstream/token-fetches").json()


def file_or_env(workdir: Path, module_kind: str, value: str, field: str,
                env_var: str) -> tuple[dict, dict]:
    """The auth config member (`<field>_file` or `<field>_env`) and the environment giving
    the gateway `value` (a token or a key): a file on the native module, an environment
    variable on wasm, whose sandbox reads no files."""
    if module_kind == "native":
        path = workdir / f"{field}.txt"
        path.write_text(value + "\n")
        return {f"{field}_file": str(path)}, {}
    return {f"{field}_env": env_var}, {env_var: value}
