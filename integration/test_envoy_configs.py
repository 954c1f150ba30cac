"""The checked-in envoy-configs/ load in the real Envoy (`--mode validate` loads the modules
and creates every filter config without serving), with the module paths pointed at the
built artifacts and fake keys in the environment."""

import json
import subprocess

import pytest
import yaml

from support import paths

CONFIGS = paths.REPO_ROOT / "envoy-configs"
# The paths the checked-in files name (control-plane/tests/envoy_configs.rs generates them).
MODULES_DIR = "/opt/aigw/modules"
ACCESS_LOG = "/var/log/aigw/access.log"
FAKE_KEYS = {"OPENAI_API_KEY": "sk-test-envoy-configs-aaaa",
             "AZURE_OPENAI_API_KEY": "sk-test-envoy-configs-bbbb",
             "TIER_TWO_API_KEY": "sk-test-envoy-configs-cccc",
             "VLLM_API_KEY": "sk-test-envoy-configs-dddd",
             "GITHUB_MCP_TOKEN": "fake-mcp-token-envoy-configs",
             # base64 of 32 bytes "fake-session-key-for-envoy-conf!" (not a real key).
             "MCP_SESSION_KEY": "ZmFrZS1zZXNzaW9uLWtleS1mb3ItZW52b3ktY29uZiE="}


def _validate_file(name: str, module_kind: str, tmp_path) -> None:
    """Loads the checked-in bootstrap `name` (under envoy-configs/) in `envoy --mode validate`
    with the module paths pointed at the built artifacts."""
    modules = paths.modules_dir(module_kind)
    text = (CONFIGS / name).read_text()
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


def test_checked_in_config_validates(module_kind, tmp_path):
    _validate_file(f"envoy-{module_kind}.yaml", module_kind, tmp_path)


def test_mcp_example_validates(module_kind, tmp_path):
    """The MCP example (authorization keys fetched from a jwks_uri) loads."""
    _validate_file(f"envoy-mcp-{module_kind}.yaml", module_kind, tmp_path)


def test_inference_pool_example_validates(module_kind, tmp_path):
    _validate_file(f"envoy-inference-pool-{module_kind}.yaml", module_kind, tmp_path)


@pytest.mark.parametrize("tier", ["tier-one", "tier-two"])
def test_two_tier_example_validates(tier, module_kind, tmp_path):
    """Both tiers of the two-tier example (tier one: credentials and global token budgets;
    tier two: a vLLM pool) load for the artifact kind under test."""
    _validate_file(f"two-tier/{tier}-envoy-{module_kind}.yaml", module_kind, tmp_path)


def _validate(bootstrap: dict, modules, tmp_path) -> None:
    path = tmp_path / "mesh-envoy.json"
    path.write_text(json.dumps(bootstrap).replace(MODULES_DIR, str(modules)))
    env = {"PATH": "/usr/bin:/bin", **FAKE_KEYS, "ENVOY_DYNAMIC_MODULES_SEARCH_PATH": str(modules)}
    res = subprocess.run([str(paths.envoy_bin()), "--mode", "validate", "-c", str(path),
                          "--disable-hot-restart", "--log-level", "warn"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]


def _bootstrap(http_filters: list, cluster_options: list) -> dict:
    """A bootstrap holding the downstream filters and one cluster per upstream patch value."""
    router = {"name": "envoy.filters.http.router", "typed_config": {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}
    hcm = {"@type": "type.googleapis.com/envoy.extensions.filters.network."
                    "http_connection_manager.v3.HttpConnectionManager",
           "stat_prefix": "mesh", "http_filters": [*http_filters, router],
           "route_config": {"virtual_hosts": [{"name": "all", "domains": ["*"], "routes": []}]}}
    clusters = [{"name": f"c{i}", "type": "STATIC", "connect_timeout": "1s",
                 "load_assignment": {"cluster_name": f"c{i}", "endpoints": [{"lb_endpoints": [
                     {"endpoint": {"address": {"socket_address": {
                         "address": "127.0.0.1", "port_value": 9}}}}]}]},
                 "typed_extension_protocol_options": opts}
                for i, opts in enumerate(cluster_options)]
    return {"static_resources": {"listeners": [{
        "name": "mesh", "address": {"socket_address": {"address": "127.0.0.1", "port_value": 0}},
        "filter_chains": [{"filters": [{"name": "envoy.filters.network.http_connection_manager",
                                        "typed_config": hcm}]}]}], "clusters": clusters}}


def test_istio_envoy_filter_patches_load_in_envoy(module_kind, tmp_path):
    """The filter and cluster values the Istio EnvoyFilter inserts are valid Envoy config
    for the built modules."""
    docs = list(yaml.safe_load_all((CONFIGS / f"istio-{module_kind}.yaml").read_text()))
    patches = next(d for d in docs if d["kind"] == "EnvoyFilter")["spec"]["configPatches"]
    filters = [p["patch"]["value"] for p in patches if p["applyTo"] == "HTTP_FILTER"]
    clusters = [p["patch"]["value"]["typed_extension_protocol_options"]
                for p in patches if p["applyTo"] == "CLUSTER"]
    assert len(filters) == 2 and len(clusters) == 2
    _validate(_bootstrap(filters, clusters), paths.modules_dir(module_kind), tmp_path)


def test_envoy_gateway_policies_load_in_envoy(module_kind, tmp_path):
    """The dynamic modules of the EnvoyExtensionPolicy (built the way Envoy Gateway builds
    them) and the EnvoyPatchPolicy's cluster values are valid Envoy config for the native
    modules; Envoy Gateway is native-only."""
    if module_kind != "native":
        text = (CONFIGS / "envoy-gateway.yaml").read_text()
        assert "libaigw_translate.so" in text and ".wasm" not in text
        return
    docs = list(yaml.safe_load_all((CONFIGS / "envoy-gateway.yaml").read_text()))
    policy = next(d for d in docs if d["kind"] == "EnvoyExtensionPolicy")
    filters = [{"name": m["name"], "typed_config": {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.dynamic_modules.v3."
                 "DynamicModuleFilter",
        "dynamic_module_config": {"name": m["filterName"]},
        "filter_name": m["filterName"],
        "filter_config": {"@type": "type.googleapis.com/google.protobuf.StringValue",
                          "value": json.dumps(m["config"])}}}
        for m in policy["spec"]["dynamicModule"]]
    patches = next(d for d in docs if d["kind"] == "EnvoyPatchPolicy")["spec"]["jsonPatches"]
    clusters = [p["operation"]["value"] for p in patches]
    assert len(filters) == 2 and len(clusters) >= 2
    _validate(_bootstrap(filters, clusters), paths.modules_dir(module_kind), tmp_path)
