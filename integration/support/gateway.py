"""The gateway under test: the suite's gateway config, rendered by `aigw translate` for one
artifact kind, served by the real Envoy."""

import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from . import paths
from .accesslog import AccessLog
from .procs import Proc, free_port
from .upstream import KEYS, Upstream

# Model names of the suite's routes.
MODEL_A = "gpt-4o-mini"  # OpenAI backend `openai`, endpoint with the /v1 path prefix
MODEL_B = "model-b"  # OpenAI-schema backend `modelb`, key from a file (native) or env (wasm)
MODEL_AZURE = "azure-gpt"  # Azure backend `azure`, sent as deployment AZURE_DEPLOYMENT
# Models served by backend `openai` that only the metrics test uses, so its series are its own.
MODEL_METRICS = "metrics-plain"
MODEL_METRICS_STREAM = "metrics-stream"
# Served by backend `openai`; only the Responses API usage test sends it.
MODEL_RESPONSES = "responses-metrics"
AZURE_DEPLOYMENT = "gpt4o-deploy"
# Gemini backend `gemini` (schema Gemini): a chat model and an embedding model.
MODEL_GEMINI = "gemini-2.0-flash"
MODEL_GEMINI_EMBED = "text-embedding-004"
MODEL_ANTHROPIC = "claude-gw"  # Anthropic backend `anthropic`, sent as ANTHROPIC_MODEL
ANTHROPIC_MODEL = "claude-sonnet-4-5"
AZURE_API_VERSION = "2024-10-21"
# Envoy log fragments that mean a filter panicked.
PANIC_MARKERS = ("panic in ", "panicked at", "RuntimeError")
# Cost metadata keys the config declares.
COSTS = {"llm_input_token": "InputToken", "llm_total_token": "TotalToken"}
# A CEL cost of route `b` only (micro-dollars, plus 1000 when the route and backend variables
# say `b` and `modelb`).
ROUTE_B_CEL = ("input_tokens * 3 + output_tokens * 12"
               " + (route_name == 'b' && backend == 'modelb' ? 1000 : 0)")


@dataclass
class Gateway:
    """A running Envoy with the gateway filters of one artifact kind."""

    kind: str
    url: str
    admin_url: str
    access_log: AccessLog
    envoy: Proc

    def client(self) -> httpx.Client:
        """An HTTP client for the gateway's listener."""
        return httpx.Client(base_url=self.url, timeout=15.0)

    def panic_lines(self) -> list:
        """Envoy log lines showing a filter panic (native host: `panic in <hook>`; wasm: the
        SDK's `panicked at` hook or a trapped VM)."""
        return [line for line in self.envoy.log.read_text(errors="replace").splitlines()
                if any(p in line for p in PANIC_MARKERS)]


# Environment of the gateway's Envoy: the keys of the backends configured with key_env.
KEY_ENV = {"AIGW_IT_OPENAI_KEY": KEYS["openai"], "AIGW_IT_MODELB_KEY": KEYS["modelb"],
           "AIGW_IT_AZURE_KEY": KEYS["azure"], "AIGW_IT_ANTHROPIC_KEY": KEYS["anthropic"],
           "AIGW_IT_GEMINI_KEY": KEYS["gemini"]}


def modelb_auth(workdir: Path, kind: str) -> dict:
    """Backend `modelb`'s credential: a key file for native (exercising key_file), the
    environment for wasm, whose sandbox has no file access (upstream-auth refuses key_file)."""
    if kind == "wasm":
        return {"kind": "bearer", "key_env": "AIGW_IT_MODELB_KEY"}
    key_file = workdir / "modelb.key"
    key_file.write_text(KEYS["modelb"] + "\n")
    key_file.chmod(0o600)
    return {"kind": "bearer", "key_file": str(key_file)}


def gateway_config(upstream: Upstream, workdir: Path, kind: str, listen: int, admin: int) -> dict:
    """The suite's gateway config: three backends on testupstream, routes by model, costs."""
    base = f"http://127.0.0.1:{upstream.port}"
    return {
        "listen": f"127.0.0.1:{listen}",
        "admin": f"127.0.0.1:{admin}",
        "module": kind,
        "backends": [
            {"name": "openai", "schema": "OpenAI", "endpoint": f"{base}/v1",
             "auth": {"kind": "bearer", "key_env": "AIGW_IT_OPENAI_KEY"}},
            {"name": "modelb", "schema": "OpenAI", "endpoint": f"{base}/v1",
             "auth": modelb_auth(workdir, kind)},
            {"name": "azure", "schema": "AzureOpenAI", "endpoint": base,
             "azure_api_version": AZURE_API_VERSION,
             "auth": {"kind": "azure_api_key", "key_env": "AIGW_IT_AZURE_KEY"}},
            {"name": "gemini", "schema": "Gemini", "endpoint": base,
             "auth": {"kind": "gemini_api_key", "key_env": "AIGW_IT_GEMINI_KEY"}},
            {"name": "anthropic", "schema": "Anthropic", "endpoint": base,
             "auth": {"kind": "anthropic_api_key", "key_env": "AIGW_IT_ANTHROPIC_KEY"}},
        ],
        "routes": [
            {"name": "a",
             "models": [MODEL_A, MODEL_METRICS, MODEL_METRICS_STREAM, MODEL_RESPONSES],
             "backend": "openai"},
            {"name": "b", "models": [MODEL_B], "backend": "modelb",
             "costs": [{"metadata_key": "usd_micros", "type": "CEL", "cel": ROUTE_B_CEL}]},
            {"name": "azure", "models": [MODEL_AZURE], "backend": "azure",
             "model_override": AZURE_DEPLOYMENT},
            {"name": "gemini", "models": [MODEL_GEMINI, MODEL_GEMINI_EMBED], "backend": "gemini"},
            {"name": "anthropic", "models": [MODEL_ANTHROPIC], "backend": "anthropic",
             "model_override": ANTHROPIC_MODEL},
        ],
        "costs": [{"metadata_key": k, "type": t} for k, t in COSTS.items()],
    }


class _NoAliasDumper(yaml.SafeDumper):
    """Writes a dict used twice in full again: the config loader refuses YAML anchors."""

    def ignore_aliases(self, data):
        return True


def config_yaml(config: dict) -> str:
    """A gateway config as YAML text, without anchors."""
    return yaml.dump(config, Dumper=_NoAliasDumper)


def translate(config: Path, kind: str, access_log: Path, out: Path):
    """Renders `config` into an Envoy bootstrap at `out` with `aigw translate`."""
    argv = [str(paths.aigw()), "translate", str(config), "--module", kind,
            "--modules-dir", str(paths.modules_dir(kind)), "--access-log", str(access_log)]
    res = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    if res.returncode != 0:
        pytest.fail(f"{' '.join(argv)} exited {res.returncode}:\n{res.stderr}", pytrace=False)
    out.write_text(res.stdout)


def start(upstream: Upstream, workdir: Path, kind: str) -> Gateway:
    """Renders the suite's config for `kind` and starts Envoy on it; waits until it is live."""
    workdir.mkdir(parents=True, exist_ok=True)
    listen, admin = free_port(), free_port()
    config = workdir / "gateway.yaml"
    config.write_text(config_yaml(gateway_config(upstream, workdir, kind, listen, admin)))
    access_log = workdir / "access.log"
    bootstrap = workdir / "envoy.yaml"
    translate(config, kind, access_log, bootstrap)
    env = dict(KEY_ENV)
    if kind == "native":
        env["ENVOY_DYNAMIC_MODULES_SEARCH_PATH"] = str(paths.modules_dir(kind))
    argv = [paths.envoy_bin(), "-c", bootstrap, "--disable-hot-restart", "--concurrency", "1",
            "--file-flush-interval-msec", "100", "--log-level", "warn"]
    envoy = Proc(f"envoy ({kind})", argv, workdir / "envoy.log", env=env)
    envoy.wait_http_ok(f"http://127.0.0.1:{admin}/ready")
    return Gateway(kind=kind, url=f"http://127.0.0.1:{listen}",
                   admin_url=f"http://127.0.0.1:{admin}", access_log=AccessLog(access_log),
                   envoy=envoy)
