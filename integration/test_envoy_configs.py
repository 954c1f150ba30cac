"""The checked-in envoy-configs/ load in the real Envoy (`--mode validate` loads the modules
and creates every filter config without serving), with the module paths pointed at the
built artifacts and fake keys in the environment."""

import subprocess

from support import paths

CONFIGS = paths.REPO_ROOT / "envoy-configs"
# The paths the checked-in files name (control-plane/tests/envoy_configs.rs generates them).
MODULES_DIR = "/opt/aigw/modules"
ACCESS_LOG = "/var/log/aigw/access.log"
FAKE_KEYS = {"OPENAI_API_KEY": "sk-test-envoy-configs-aaaa",
             "AZURE_OPENAI_API_KEY": "sk-test-envoy-configs-bbbb"}


def test_checked_in_config_validates(module_kind, tmp_path):
    modules = paths.modules_dir(module_kind)
    text = (CONFIGS / f"envoy-{module_kind}.yaml").read_text()
    assert MODULES_DIR in text and ACCESS_LOG in text
    bootstrap = tmp_path / "envoy.yaml"
    bootstrap.write_text(text.replace(MODULES_DIR, str(modules))
                         .replace(ACCESS_LOG, str(tmp_path / "access.log")))
    env = {"PATH": "/usr/bin:/bin", **FAKE_KEYS,
           "ENVOY_DYNAMIC_MODULES_SEARCH_PATH": str(modules)}
    res = subprocess.run([str(paths.envoy_bin()), "--mode", "validate", "-c", str(bootstrap),
                          "--disable-hot-restart", "--log-level", "warn"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
