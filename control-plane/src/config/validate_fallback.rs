//! Checks of a route with several backends (`backends`, `retry`); errors name the field.

use std::collections::HashMap;

use super::model::{Retry, Route};

/// Most retries a route may ask for.
pub const MAX_RETRIES: u32 = 10;

/// Checks `r.backends` and `r.retry` of route `at`; `backends` maps names to indexes,
/// `pools` holds the names of inference pool backends (which cannot be listed here).
pub fn route_backends(
    at: &str,
    r: &Route,
    backends: &HashMap<&str, usize>,
    pools: &[&str],
    errors: &mut Vec<String>,
) {
    let mut seen = HashMap::new();
    for (j, b) in r.backends.iter().enumerate() {
        let bat = format!("{at}.backends[{j}]");
        if !backends.contains_key(b.name.as_str()) {
            errors.push(format!("{bat}.name: unknown backend {:?}", b.name));
        }
        if pools.contains(&b.name.as_str()) {
            errors.push(format!(
                "{bat}.name: {:?} is an inference pool, which takes a route of its own ({at}.backend); its endpoint picker does the load balancing",
                b.name
            ));
        }
        if let Some(first) = seen.insert(b.name.as_str(), j) {
            errors.push(format!(
                "{bat}.name: backend {:?} is already listed as {at}.backends[{first}]",
                b.name
            ));
        }
        if b.weight == 0 {
            errors.push(format!("{bat}.weight: must be at least 1"));
        }
        if let Some(problem) = b
            .model_override
            .as_deref()
            .and_then(super::validate::model_name_problem)
        {
            errors.push(format!("{bat}.model_override: {problem}"));
        }
    }
    if let Some(retry) = &r.retry {
        check_retry(&format!("{at}.retry"), retry, errors);
    }
}

fn check_retry(at: &str, retry: &Retry, errors: &mut Vec<String>) {
    if retry.retry_on.is_empty() {
        errors.push(format!(
            "{at}.retry_on: name at least one of 5xx, 429, connect-failure, reset"
        ));
    }
    if let Some(n) = retry.num_retries
        && n > MAX_RETRIES
    {
        errors.push(format!(
            "{at}.num_retries: {n} is more than the maximum of {MAX_RETRIES}"
        ));
    }
    if let Some(t) = &retry.per_try_idle_timeout
        && duration_ms(t).is_none_or(|ms| ms == 0)
    {
        errors.push(format!(
            "{at}.per_try_idle_timeout: {t:?} must be a positive duration like 10s or 500ms"
        ));
    }
}

/// Milliseconds of a duration written `<n>ms` or `<n>s`.
pub fn duration_ms(text: &str) -> Option<u64> {
    let (number, scale) = match text.strip_suffix("ms") {
        Some(n) => (n, 1),
        None => (text.strip_suffix('s')?, 1000),
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number.parse::<u64>().ok()?.checked_mul(scale)
}

#[cfg(test)]
#[path = "validate_fallback_tests.rs"]
mod tests;
