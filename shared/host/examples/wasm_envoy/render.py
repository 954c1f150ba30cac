"""Renders the config template read from stdin (envoy.yaml.in) for one host kind:
`render.py wasm|native MODULE PORT ADMIN UP LOG < envoy.yaml.in`.

MODULE is the `.wasm` file (wasm) or the directory holding `libwasm_demo.so` (native; Envoy
finds it through ENVOY_DYNAMIC_MODULES_SEARCH_PATH, so the directory is not used here).
"""
import json
import re
import sys

kind, module, port, admin, up, log = sys.argv[1:7]
template = sys.stdin.read()


def string_value(text):
    return {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": text}


def filter_config(match):
    name, config = match.group(1), match.group(2)
    if kind == "wasm":
        typed = {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
            "config": {
                "name": name,
                "root_id": name,
                "allow_on_headers_stop_iteration": True,
                "failure_policy": "FAIL_RELOAD",
                "configuration": string_value(config),
                "vm_config": {
                    "vm_id": "demo",
                    "runtime": "envoy.wasm.runtime.v8",
                    "code": {"local": {"filename": module}},
                },
            },
        }
    else:
        typed = {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.dynamic_modules.v3.DynamicModuleFilter",
            "dynamic_module_config": {"name": "wasm_demo"},
            "filter_name": "wasm_demo",
            "filter_config": string_value(config),
        }
    return json.dumps(typed)  # JSON is YAML flow syntax


def metadata(match):
    key = match.group(1)
    if kind == "wasm":
        return f"%FILTER_STATE(wasm.io.envoy.ai_gateway.{key}:PLAIN)%"
    return f"%DYNAMIC_METADATA(io.envoy.ai_gateway:{key})%"


out = re.sub(r"@FILTER:([^:@]+):(\{[^@]*\})@", filter_config, template)
out = re.sub(r"@META:([a-z_]+)@", metadata, out)
for key, value in {"PORT": port, "ADMIN": admin, "UP": up, "LOG": log}.items():
    out = out.replace(f"@{key}@", value)
print(out)
