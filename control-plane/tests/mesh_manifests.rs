//! Every resource `aigw translate --target istio|envoy-gateway` writes validates strictly
//! against its project's published CRD schema (testdata/crds/, see its README).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `aigw translate` with `args` in `dir`; its stdout, or the stderr on failure.
fn aigw(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_aigw"))
        .arg("translate")
        .args(args)
        .current_dir(dir)
        .env_remove("OPENAI_BASE_URL")
        .env_remove("AIGW_MODULES_DIR")
        .output()
        .unwrap();
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).unwrap())
    } else {
        Err(String::from_utf8(out.stderr).unwrap())
    }
}

fn documents(yaml: &str) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(yaml)
        .map(|d| <Value as serde::Deserialize>::deserialize(d).unwrap())
        .collect()
}

/// Every CRD of testdata/crds.
fn crds() -> Vec<Value> {
    let mut out = Vec::new();
    for group in ["istio", "envoy-gateway", "gateway-api"] {
        let dir = repo().join("testdata/crds").join(group);
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            out.extend(documents(&text));
        }
    }
    out
}

/// The openAPIV3Schema of `apiVersion`/`kind`, made strict: an object schema that lists its
/// properties and does not preserve unknown fields rejects any other field.
fn schema_of<'a>(crds: &'a [Value], api_version: &str, kind: &str) -> &'a Value {
    let (group, version) = api_version.split_once('/').unwrap();
    let crd = crds
        .iter()
        .find(|c| c["spec"]["group"] == group && c["spec"]["names"]["kind"] == kind)
        .unwrap_or_else(|| panic!("no CRD for {api_version} {kind} in testdata/crds"));
    let v = crd["spec"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == version && v["served"] == true)
        .unwrap_or_else(|| panic!("{kind}: version {version} is not served"));
    &v["schema"]["openAPIV3Schema"]
}

fn strict(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out: serde_json::Map<String, Value> =
                map.iter().map(|(k, v)| (k.clone(), strict(v))).collect();
            if map.contains_key("properties")
                && !map.contains_key("additionalProperties")
                && map.get("x-kubernetes-preserve-unknown-fields") != Some(&json!(true))
            {
                out.insert("additionalProperties".into(), json!(false));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(strict).collect()),
        other => other.clone(),
    }
}

/// The schema errors of one manifest (empty: valid).
fn errors_of(crds: &[Value], doc: &Value) -> Vec<String> {
    let api = doc["apiVersion"].as_str().unwrap();
    let kind = doc["kind"].as_str().unwrap();
    // Strict below the root: some CRDs (Istio's) do not list apiVersion/kind/metadata.
    let mut schema = strict(schema_of(crds, api, kind));
    schema
        .as_object_mut()
        .unwrap()
        .remove("additionalProperties");
    let validator = jsonschema::validator_for(&schema).unwrap();
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Validates every manifest; returns the kinds seen.
fn validate_all(yaml: &str) -> Vec<String> {
    let crds = crds();
    let docs = documents(yaml);
    assert!(!docs.is_empty());
    let dns1123 = regex::Regex::new(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$").unwrap();
    let mut kinds = Vec::new();
    for doc in &docs {
        let kind = doc["kind"].as_str().unwrap();
        let name = doc["metadata"]["name"].as_str().unwrap();
        assert!(
            dns1123.is_match(name),
            "{kind} name {name:?} is not DNS-1123"
        );
        let errors = errors_of(&crds, doc);
        assert!(
            errors.is_empty(),
            "{kind} {name}:\n  {}",
            errors.join("\n  ")
        );
        kinds.push(kind.to_string());
    }
    kinds
}

#[test]
fn the_strict_check_catches_unknown_fields_and_wrong_types() {
    let crds = crds();
    let text = std::fs::read_to_string(repo().join("envoy-configs/envoy-gateway.yaml")).unwrap();
    let docs = documents(&text);
    let mut gateway = docs
        .iter()
        .find(|d| d["kind"] == "Gateway")
        .unwrap()
        .clone();
    assert!(errors_of(&crds, &gateway).is_empty());
    gateway["spec"]["listeners"][0]["port"] = json!("eighty");
    gateway["spec"]["listners"] = json!([]);
    let errors = errors_of(&crds, &gateway).join("\n");
    assert!(errors.contains("listners"), "{errors}");
    assert!(errors.contains("/spec/listeners/0/port"), "{errors}");
    let mut filter = docs
        .iter()
        .find(|d| d["kind"] == "EnvoyPatchPolicy")
        .unwrap()
        .clone();
    filter["spec"]["type"] = json!("MergePatch");
    assert!(!errors_of(&crds, &filter).is_empty());
}

#[test]
fn checked_in_mesh_examples_validate_against_their_crds() {
    let dir = repo().join("envoy-configs");
    for file in ["istio-native.yaml", "istio-wasm.yaml", "envoy-gateway.yaml"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let kinds = validate_all(&text);
        assert!(kinds.len() >= 6, "{file}: {kinds:?}");
    }
}

/// A config with what the example lacks: an IP endpoint, presence and prefix header
/// matches, host routes, names needing sanitising, and more rules than one HTTPRoute holds.
const WIDE_CONFIG: &str = r#"
backends:
  - { name: Local_vLLM, schema: OpenAI, endpoint: "http://10.0.0.7:8000/v1", auth: { kind: bearer, key_env: VLLM_KEY } }
  - { name: anthropic, schema: Anthropic, auth: { kind: anthropic_api_key, key_env: ANTHROPIC_API_KEY } }
routes:
  - name: Tenant_A
    models: [m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17]
    headers: [{ name: x-tenant }, { name: x-team, prefix: "red." }]
    backend: Local_vLLM
  - { name: claude, model_prefix: claude-, backend: anthropic, model_override: claude-sonnet-4-5 }
  - { name: hosted, models: [h1], host: llm.example.com, backend: anthropic }
"#;

#[test]
fn wide_config_validates_for_both_targets() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gw.yaml"), WIDE_CONFIG).unwrap();
    let istio = aigw(dir.path(), &["gw.yaml", "--target", "istio"]).unwrap();
    validate_all(&istio);
    assert!(istio.contains("local-vllm.aigw.internal"), "{istio}");
    let eg = aigw(dir.path(), &["gw.yaml", "--target", "envoy-gateway"]).unwrap();
    let kinds = validate_all(&eg);
    // 17 + 1 exact rules, a prefix rule and the catch-all need two HTTPRoutes without a
    // host, plus one for llm.example.com.
    assert_eq!(
        kinds.iter().filter(|k| *k == "HTTPRoute").count(),
        3,
        "{kinds:?}"
    );
    assert!(eg.contains("name: httproute/aigw/aigw-1/rule/0"), "{eg}");
}

#[test]
fn unsupported_combinations_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gw.yaml"), WIDE_CONFIG).unwrap();
    let err = aigw(
        dir.path(),
        &["gw.yaml", "--target", "envoy-gateway", "--module", "wasm"],
    )
    .unwrap_err();
    assert!(err.contains("allow_on_headers_stop_iteration"), "{err}");
    let err = aigw(
        dir.path(),
        &["gw.yaml", "--target", "istio", "--modules-dir", "rel/dir"],
    )
    .unwrap_err();
    assert!(err.contains("must be an absolute path"), "{err}");
    let shared_host = WIDE_CONFIG
        .replace(
            "schema: Anthropic,",
            "schema: Anthropic, endpoint: \"https://llm.internal.example\",",
        )
        .replace("http://10.0.0.7:8000/v1", "https://llm.internal.example/v1");
    std::fs::write(dir.path().join("shared.yaml"), shared_host).unwrap();
    let err = aigw(dir.path(), &["shared.yaml", "--target", "istio"]).unwrap_err();
    assert!(err.contains("one cluster"), "{err}");
}
