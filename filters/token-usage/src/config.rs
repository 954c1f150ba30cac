//! The filter's JSON configuration, parsed and validated once per config.

use aigw_core::cost::{Cost, Formula};
use aigw_core::metadata::{BUILTIN_KEYS, MCP_KEYS};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    costs: Vec<RawCost>,
    #[serde(default)]
    route_costs: BTreeMap<String, Vec<RawCost>>,
    #[serde(default)]
    identity_labels: Option<IdentityHeaders>,
}

/// The request headers naming the caller, whose values label the per-identity token
/// counter (`{"user_header":"x-user-id","team_header":"x-team-id"}`, either may be absent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityHeaders {
    /// Header naming the user (label `aigw_user`).
    #[serde(default)]
    pub user_header: Option<String>,
    /// Header naming the team (label `aigw_team`).
    #[serde(default)]
    pub team_header: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCost {
    metadata_key: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    cel: Option<String>,
}

/// Validated token-usage configuration:
/// `{"costs":[{"metadata_key":"llm_total_token","type":"TotalToken"}],
///   "route_costs":{"chat":[{"metadata_key":"usd_micros","type":"CEL","cel":"input_tokens * 3"}]}}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// Costs written for every route, in config order.
    pub costs: Vec<Cost>,
    /// Costs of one gateway route (by route name), written after the global ones; a route
    /// cost with a global cost's key replaces it for that route.
    pub route_costs: BTreeMap<String, Vec<Cost>>,
    /// When set, tokens are also counted per user and team from these request headers.
    pub identity: Option<IdentityHeaders>,
}

impl Config {
    /// Parses and validates the JSON config text (empty text means no costs). CEL
    /// expressions are compiled here, once. Errors name the offending field, e.g.
    /// `costs[1].type: unknown cost type "Foo"; ...` or
    /// `route_costs.chat[0].cel: CEL error at column 7: ...`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = if text.trim().is_empty() { "{}" } else { text };
        let raw = parse_json(text)?;
        let costs = cost_list("costs", raw.costs)?;
        let mut route_costs = BTreeMap::new();
        for (route, list) in raw.route_costs {
            let at = format!("route_costs.{route}");
            route_costs.insert(route, cost_list(&at, list)?);
        }
        if let Some(identity) = &raw.identity_labels {
            check_identity(identity)?;
        }
        Ok(Self {
            costs,
            route_costs,
            identity: raw.identity_labels,
        })
    }

    /// The costs of a request that matched `route` (empty when unknown), in write order.
    pub fn costs_for<'a>(&'a self, route: &str) -> impl Iterator<Item = &'a Cost> + 'a {
        let own = self.route_costs.get(route).map_or(&[][..], Vec::as_slice);
        let global = self
            .costs
            .iter()
            .filter(move |c| !own.iter().any(|o| o.metadata_key == c.metadata_key));
        global.chain(own)
    }
}

/// Validates one list of costs found at `at`.
fn cost_list(at: &str, raw: Vec<RawCost>) -> Result<Vec<Cost>, String> {
    let mut costs: Vec<Cost> = Vec::with_capacity(raw.len());
    for (i, cost) in raw.into_iter().enumerate() {
        let key = cost.metadata_key;
        if key.is_empty() {
            return Err(format!("{at}[{i}].metadata_key: must not be empty"));
        }
        if BUILTIN_KEYS.contains(&key.as_str()) || MCP_KEYS.contains(&key.as_str()) {
            return Err(format!(
                "{at}[{i}].metadata_key: {key:?} is a built-in metadata key"
            ));
        }
        if let Some(j) = costs.iter().position(|c| c.metadata_key == key) {
            return Err(format!(
                "{at}[{i}].metadata_key: {key:?} is already used by {at}[{j}]"
            ));
        }
        let formula = Formula::from_config(&cost.kind, cost.cel.as_deref())
            .map_err(|e| format!("{at}[{i}].{e}"))?;
        costs.push(Cost {
            metadata_key: key,
            formula,
        });
    }
    Ok(costs)
}

/// At least one header, each a lowercase HTTP header name.
fn check_identity(identity: &IdentityHeaders) -> Result<(), String> {
    let headers = [
        ("user_header", &identity.user_header),
        ("team_header", &identity.team_header),
    ];
    if headers.iter().all(|(_, h)| h.is_none()) {
        return Err("identity_labels: name user_header, team_header or both".into());
    }
    for (field, header) in headers {
        if let Some(h) = header
            && (h.is_empty()
                || !h.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                }))
        {
            return Err(format!(
                "identity_labels.{field}: {h:?} must be a lowercase HTTP header name"
            ));
        }
    }
    Ok(())
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
    use aigw_core::cost::CostKind;

    #[test]
    fn parses_all_cost_types() {
        let entries: Vec<String> = CostKind::ALL
            .iter()
            .enumerate()
            .map(|(i, k)| format!(r#"{{"metadata_key":"k{i}","type":"{}"}}"#, k.name()))
            .collect();
        let config = Config::parse(&format!(r#"{{"costs":[{}]}}"#, entries.join(","))).unwrap();
        let kinds: Vec<Formula> = config.costs.iter().map(|c| c.formula.clone()).collect();
        let want: Vec<Formula> = CostKind::ALL.into_iter().map(Formula::Tokens).collect();
        assert_eq!(kinds, want);
        assert_eq!(config.costs[3].metadata_key, "k3");
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
            "costs[1].type: unknown cost type \"Foo\"; expected one of InputToken, OutputToken, TotalToken, CachedInputToken, CacheCreationInputToken, ReasoningToken, CEL"
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

    #[test]
    fn cel_and_route_costs() {
        let config = Config::parse(
            r#"{"costs":[{"metadata_key":"t","type":"TotalToken"},{"metadata_key":"p","type":"CEL","cel":"input_tokens * 2"}],
                "route_costs":{"chat":[{"metadata_key":"p","type":"CEL","cel":"output_tokens"},{"metadata_key":"r","type":"ReasoningToken"}]}}"#,
        )
        .unwrap();
        let keys = |route| -> Vec<&str> {
            config
                .costs_for(route)
                .map(|c| c.metadata_key.as_str())
                .collect()
        };
        assert_eq!(keys("other"), ["t", "p"]);
        assert_eq!(keys(""), ["t", "p"]);
        assert_eq!(keys("chat"), ["t", "p", "r"]);
        let chat_p = config.costs_for("chat").nth(1).unwrap();
        assert!(matches!(&chat_p.formula, Formula::Cel(c) if c.source() == "output_tokens"));
    }

    #[test]
    fn cel_errors_name_the_route_and_column() {
        assert_eq!(
            err(
                r#"{"route_costs":{"chat":[{"metadata_key":"p","type":"CEL","cel":"input_tokens +* 2"}]}}"#
            ),
            "route_costs.chat[0].cel: CEL error at column 15: Syntax error: extraneous input '*' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}"
        );
        assert_eq!(
            err(r#"{"costs":[{"metadata_key":"p","type":"CEL"}]}"#),
            "costs[0].cel: required when type is CEL"
        );
        assert_eq!(
            err(r#"{"costs":[{"metadata_key":"p","type":"InputToken","cel":"1"}]}"#),
            "costs[0].cel: only allowed with type CEL"
        );
        assert_eq!(
            err(
                r#"{"route_costs":{"x":[{"metadata_key":"a","type":"InputToken"},{"metadata_key":"a","type":"InputToken"}]}}"#
            ),
            "route_costs.x[1].metadata_key: \"a\" is already used by route_costs.x[0]"
        );
    }
}
