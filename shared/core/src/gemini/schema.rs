//! JSON Schema (as OpenAI tools and `response_format` carry it) reduced to the OpenAPI
//! subset Gemini's `Schema` accepts.
//!
//! Kept: `type` (upper-cased; a `[T, "null"]` list becomes `T` with `nullable: true`),
//! `format` (only `date-time`, `enum`, `float`, `double`, `int32`, `int64`), `title`,
//! `description`, `nullable`, `enum` (only when every value is a string), `const` (a string
//! becomes a one-value `enum`), `properties`, `required` (only names that are properties),
//! `items`, `anyOf` (`oneOf` is read as `anyOf`), `minItems`, `maxItems`, `minProperties`,
//! `maxProperties`, `minLength`, `maxLength`, `pattern`, `minimum`, `maximum`, `default`,
//! `example`, `propertyOrdering`.
//! Dropped, because Gemini rejects them: `$schema`, `$id`, `$ref`, `$defs`, `definitions`,
//! `additionalProperties`, `strict`, `allOf`, `not`, `if`/`then`/`else`,
//! `exclusiveMinimum`/`exclusiveMaximum`, `multipleOf`, `patternProperties`,
//! `unevaluatedProperties`, `examples`, `readOnly`/`writeOnly`, and any other member.

use serde_json::{Map, Value};

const COPIED: [&str; 15] = [
    "title",
    "description",
    "nullable",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "default",
    "example",
    "propertyOrdering",
];

const FORMATS: [&str; 6] = ["date-time", "enum", "float", "double", "int32", "int64"];

/// The Gemini form of a JSON Schema; anything that is not an object becomes `{}`.
pub fn to_gemini_schema(schema: &Value) -> Value {
    let Some(obj) = schema.as_object() else {
        return Value::Object(Map::new());
    };
    let mut out = Map::new();
    match obj.get("type") {
        Some(Value::String(t)) if t != "null" => {
            out.insert("type".into(), Value::String(t.to_ascii_uppercase()));
        }
        Some(Value::String(_)) => {
            out.insert("nullable".into(), Value::Bool(true));
        }
        Some(Value::Array(types)) => {
            let mut named = types.iter().filter_map(Value::as_str);
            let non_null: Vec<&str> = named.by_ref().filter(|t| *t != "null").collect();
            if non_null.len() < types.len() {
                out.insert("nullable".into(), Value::Bool(true));
            }
            if let [only] = non_null.as_slice() {
                out.insert("type".into(), Value::String(only.to_ascii_uppercase()));
            }
        }
        _ => {}
    }
    for key in COPIED {
        if let Some(v) = obj.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    if let Some(Value::String(format)) = obj.get("format")
        && FORMATS.contains(&format.as_str())
    {
        out.insert("format".into(), Value::String(format.clone()));
    }
    if let Some(Value::Array(values)) = obj.get("enum")
        && values.iter().all(Value::is_string)
    {
        out.insert("enum".into(), Value::Array(values.clone()));
    } else if let Some(Value::String(c)) = obj.get("const") {
        out.insert("enum".into(), Value::Array(vec![Value::String(c.clone())]));
    }
    if let Some(Value::Object(props)) = obj.get("properties") {
        let cleaned: Map<String, Value> = props
            .iter()
            .map(|(name, s)| (name.clone(), to_gemini_schema(s)))
            .collect();
        if let Some(Value::Array(required)) = obj.get("required") {
            let kept: Vec<Value> = required
                .iter()
                .filter(|r| r.as_str().is_some_and(|n| cleaned.contains_key(n)))
                .cloned()
                .collect();
            if !kept.is_empty() {
                out.insert("required".into(), Value::Array(kept));
            }
        }
        out.insert("properties".into(), Value::Object(cleaned));
    }
    if let Some(items) = obj.get("items") {
        out.insert("items".into(), to_gemini_schema(items));
    }
    if let Some(Value::Array(alts)) = obj.get("anyOf").or_else(|| obj.get("oneOf")) {
        let alts = alts.iter().map(to_gemini_schema).collect();
        out.insert("anyOf".into(), Value::Array(alts));
    }
    Value::Object(out)
}
