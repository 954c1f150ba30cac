//! Checks of the global and per-route costs: keys, and CEL expressions compiled exactly as
//! the token-usage filter compiles them, so a bad expression fails here with its column.

use std::collections::HashMap;

use aigw_core::cost::Formula;
use aigw_core::metadata::{BUILTIN_KEYS, MCP_KEYS};

use super::model::Cost;
use super::validate::is_identifier;

/// Checks the cost list at field path `at`; `context` prefixes messages (naming the route).
pub(super) fn costs(at: &str, context: &str, list: &[Cost], errors: &mut Vec<String>) {
    let mut keys = HashMap::new();
    for (i, c) in list.iter().enumerate() {
        let key_at = format!("{at}[{i}].metadata_key");
        if !is_identifier(&c.metadata_key) {
            errors.push(format!(
                "{key_at}: {context}{:?} must be non-empty and use only letters, digits and _",
                c.metadata_key
            ));
        } else if BUILTIN_KEYS.contains(&c.metadata_key.as_str()) {
            errors.push(format!(
                "{key_at}: {context}{:?} is written by token-usage itself; choose another key",
                c.metadata_key
            ));
        } else if MCP_KEYS.contains(&c.metadata_key.as_str()) {
            errors.push(format!(
                "{key_at}: {context}{:?} is written by the MCP router; choose another key",
                c.metadata_key
            ));
        }
        if let Some(first) = keys.insert(c.metadata_key.as_str(), i) {
            errors.push(format!(
                "{key_at}: {context}duplicate key {:?} (also {at}[{first}])",
                c.metadata_key
            ));
        }
        if let Err(e) = Formula::from_config(c.kind.as_str(), c.cel.as_deref()) {
            // `e` starts with the field it is about (`cel: ...`).
            let (field, message) = e.split_once(": ").unwrap_or(("cel", e.as_str()));
            errors.push(format!("{at}[{i}].{field}: {context}{message}"));
        }
    }
}
