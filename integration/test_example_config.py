"""The example gateway config the READMEs show loads in the real Envoy (`--mode validate`
loads the modules and creates every filter config without serving)."""

import subprocess

from support import paths
from support.gateway import translate

EXAMPLE = paths.REPO_ROOT / "control-plane" / "examples" / "gateway.yaml"
FAKE_KEYS = {"OPENAI_API_KEY": "sk-test-example-aaaa",
             "AZURE_OPENAI_API_KEY": "sk-test-example-bbbb"}


def test_example_config_validates(module_kind, tmp_path):
    bootstrap = tmp_path / "envoy.yaml"
    translate(EXAMPLE, module_kind, tmp_path / "access.log", bootstrap)
    env = {"PATH": "/usr/bin:/bin", **FAKE_KEYS,
           "ENVOY_DYNAMIC_MODULES_SEARCH_PATH": str(paths.modules_dir(module_kind))}
    res = subprocess.run([str(paths.envoy_bin()), "--mode", "validate", "-c", str(bootstrap),
                          "--disable-hot-restart", "--log-level", "warn"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
