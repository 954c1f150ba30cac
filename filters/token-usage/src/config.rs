//! The filter's JSON configuration, parsed and validated once per config.

use aigw_core::cost::{Cost, CostKind};
use aigw_core::metadata::BUILTIN_KEYS;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    costs: Vec<RawCost>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCost {
    metadata_key: String,
    #[serde(rename = "type")]
    kind: String,
}

/// Validated token-usage configuration:
/// `{"costs":[{"metadata_key":"llm_total_token","type":"TotalToken"}]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Costs written to per-request metadata, in config order.
    pub costs: Vec<Cost>,
}

impl Config {
    /// Parses and validates the JSON config text (empty text means no costs). Errors name
    /// the offending field, e.g. `costs[1].type: unknown cost type "Foo"; ...`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = if text.trim().is_empty() { "{}" } else { text };
        let raw = parse_json(text)?;
        let mut costs: Vec<Cost> = Vec::with_capacity(raw.costs.len());
        for (i, cost) in raw.costs.into_iter().enumerate() {
            let key = cost.metadata_key;
            if key.is_empty() {
                return Err(format!("costs[{i}].metadata_key: must not be empty"));
            }
            if BUILTIN_KEYS.contains(&key.as_str()) {
                return Err(format!(
                    "costs[{i}].metadata_key: {key:?} is a built-in metadata key"
                ));
            }
            if let Some(j) = costs.iter().position(|c| c.metadata_key == key) {
                return Err(format!(
                    "costs[{i}].metadata_key: {key:?} is already used by costs[{j}]"
                ));
            }
            let kind: CostKind = cost
                .kind
                .parse()
                .map_err(|e| format!("costs[{i}].type: {e}"))?;
            costs.push(Cost {
                metadata_key: key,
                kind,
            });
        }
        Ok(Self { costs })
    }
}

fn parse_json(text: &str) -> Result<RawConfig, String> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let raw: RawConfig = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            format!("token-usage config: {inner}")
        } else {
            format!("{path}: {inner}")
        }
    })?;
    de.end().map_err(|e| format!("token-usage config: {e}"))?;
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_cost_types() {
        let config = Config::parse(
            r#"{"costs":[{"metadata_key":"a","type":"InputToken"},{"metadata_key":"b","type":"OutputToken"},
                {"metadata_key":"c","type":"TotalToken"},{"metadata_key":"d","type":"CachedInputToken"}]}"#,
        )
        .unwrap();
        let kinds: Vec<CostKind> = config.costs.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, CostKind::ALL.to_vec());
        assert_eq!(config.costs[3].metadata_key, "d");
    }

    #[test]
    fn empty_config_means_no_costs() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
        assert_eq!(Config::parse(" {} ").unwrap(), Config::default());
        assert_eq!(Config::parse(r#"{"costs":[]}"#).unwrap(), Config::default());
    }

    fn err(text: &str) -> String {
        Config::parse(text).unwrap_err()
    }

    #[test]
    fn unknown_type_names_the_field() {
        assert_eq!(
            err(
                r#"{"costs":[{"metadata_key":"a","type":"TotalToken"},{"metadata_key":"b","type":"Foo"}]}"#
            ),
            "costs[1].type: unknown cost type \"Foo\"; expected one of InputToken, OutputToken, TotalToken, CachedInputToken"
        );
    }

    #[test]
    fn bad_metadata_keys_name_the_field() {
        assert_eq!(
            err(r#"{"costs":[{"metadata_key":"","type":"TotalToken"}]}"#),
            "costs[0].metadata_key: must not be empty"
        );
        assert_eq!(
            err(r#"{"costs":[{"metadata_key":"total_tokens","type":"TotalToken"}]}"#),
            "costs[0].metadata_key: \"total_tokens\" is a built-in metadata key"
        );
        assert_eq!(
            err(
                r#"{"costs":[{"metadata_key":"x","type":"TotalToken"},{"metadata_key":"x","type":"InputToken"}]}"#
            ),
            "costs[1].metadata_key: \"x\" is already used by costs[0]"
        );
    }

    #[test]
    fn structural_errors_name_the_field() {
        let e = err(r#"{"costs":[{"metadata_key":"a"}]}"#);
        assert!(e.starts_with("costs[0]: missing field `type`"), "{e}");
        let e = err(r#"{"costs":[{"metadata_key":1,"type":"TotalToken"}]}"#);
        assert!(e.starts_with("costs[0].metadata_key: invalid type"), "{e}");
        let e = err(r#"{"cost":[]}"#);
        assert!(e.starts_with("cost: unknown field `cost`"), "{e}");
        let e = err(r#"{"costs":{}}"#);
        assert!(e.starts_with("costs: invalid type: map"), "{e}");
        let e = err("{} x");
        assert!(
            e.starts_with("token-usage config: trailing characters"),
            "{e}"
        );
        let e = err("[");
        assert!(e.starts_with("token-usage config: EOF"), "{e}");
    }
}
