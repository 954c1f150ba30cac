//! Positions, substitution and deserialization errors of the YAML source.

use super::*;
use crate::config::GatewayConfig;

const YAML: &str = "listen: 127.0.0.1:1975
backends:
  - name: a
    schema: OpenAI
    endpoint: http://${HOST:-127.0.0.1}:8080/v1
    auth: { kind: bearer, key_env: K }
routes:
  - name: r
    models: [m]
    backend: b
";

fn env(name: &str) -> Option<String> {
    (name == "SET").then(|| "value".to_string())
}

#[test]
fn locates_the_deepest_field_of_a_path() {
    let doc = Document::parse(YAML).unwrap();
    let p = doc.locate("routes[0].backend: unknown backend \"b\"".into());
    assert_eq!(p.at, Some((10, 14)));
    assert_eq!(
        p.located(),
        "routes[0].backend: unknown backend \"b\" (line 10, column 14)"
    );
    assert_eq!(doc.locate("routes[0].weight: x".into()).at, Some((8, 5)));
    assert_eq!(
        doc.locate("backends[0].auth.key_env: x".into()).at,
        Some((6, 36))
    );
    assert_eq!(doc.locate("no path here".into()).at, None);
}

#[test]
fn substitutes_and_deserializes() {
    let mut doc = Document::parse(YAML).unwrap();
    assert!(doc.substitute_env(&env).is_empty());
    let config: GatewayConfig = doc.deserialize().unwrap();
    assert_eq!(config.backends[0].endpoint, "http://127.0.0.1:8080/v1");
}

#[test]
fn unset_variable_names_field_and_position() {
    let yaml = YAML.replace("key_env: K", "key_env: \"${UNSET}\"");
    let mut doc = Document::parse(&yaml).unwrap();
    let problems = doc.substitute_env(&env);
    assert_eq!(
        problems[0].located(),
        "backends[0].auth.key_env: environment variable UNSET is not set \
         (write ${UNSET:-default} to give a default) (line 6, column 36)"
    );
}

#[test]
fn deserialize_errors_carry_path_and_position() {
    let doc = Document::parse(&YAML.replace("backend: b", "backend: b\n    weight: 3")).unwrap();
    let p = doc.deserialize::<GatewayConfig>().unwrap_err();
    assert!(p.message.starts_with("routes[0]"), "{p:?}");
    assert!(p.message.contains("unknown field `weight`"), "{p:?}");
    assert_eq!(p.at.map(|a| a.0), Some(11), "{p:?}");
}

#[test]
fn syntax_and_duplicate_keys_are_located() {
    let p = Document::parse("listen: [1, 2\n").err().unwrap();
    assert!(p.message.starts_with("invalid YAML: "), "{p:?}");
    assert!(p.at.is_some());
    let p = Document::parse("listen: a\nlisten: b\n").err().unwrap();
    assert_eq!(
        p.located(),
        "listen: duplicate key (also at line 1) (line 2, column 1)"
    );
}
