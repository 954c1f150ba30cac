//! The gateway config: types, loading and validation.

pub mod endpoint;
mod env;
pub mod identity_metrics;
pub mod inference_pool;
pub mod jwks;
pub mod limits;
pub mod mcp;
pub mod model;
pub mod preset;
pub mod rate_limit;
pub mod route_match;
pub mod source;
mod validate;
mod validate_auth;
mod validate_costs;
pub(crate) mod validate_fallback;
mod validate_token;
mod validate_vertex;

pub use validate_auth::{aws_region, sts_url};
pub use validate_token::token_url;

use std::fmt;
use std::path::Path;

pub use model::*;

/// Why a config could not be loaded: one line per problem, each naming the field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// Where the config came from (file path), for messages.
    pub source: String,
    /// Problems found, each `field.path: message`.
    pub problems: Vec<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid config {}:", self.source)?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Reads, parses and validates a config file; relative `key_file` paths are resolved
/// against the file's directory.
pub fn load(path: &Path) -> Result<GatewayConfig, ConfigError> {
    let source = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        source: source.clone(),
        problems: vec![format!("cannot read the file: {e}")],
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let base = std::path::absolute(base).unwrap_or_else(|_| base.to_path_buf());
    let env = |name: &str| std::env::var(name).ok();
    parse(&text, &base, &env).map_err(|problems| ConfigError {
        source,
        problems: problems.iter().map(source::Problem::located).collect(),
    })
}

/// Parses and validates YAML text (`${VAR}` from the process environment); returns every
/// problem found, each `field.path: message` without its position.
pub fn from_yaml(text: &str, base_dir: &Path) -> Result<GatewayConfig, Vec<String>> {
    let env = |name: &str| std::env::var(name).ok();
    parse(text, base_dir, &env)
        .map_err(|problems| problems.into_iter().map(|p| p.message).collect())
}

/// Parses YAML text, substitutes `${VAR}` / `${VAR:-default}` in string values from
/// `lookup`, deserializes and validates; every problem carries its line and column.
pub fn parse(
    text: &str,
    base_dir: &Path,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<GatewayConfig, Vec<source::Problem>> {
    let mut doc = source::Document::parse(text).map_err(|p| vec![p])?;
    let problems = doc.substitute_env(lookup);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut config: GatewayConfig = doc.deserialize().map_err(|p| vec![p])?;
    check(&config).map_err(|problems| {
        problems
            .into_iter()
            .map(|m| doc.locate(m))
            .collect::<Vec<_>>()
    })?;
    for backend in &mut config.backends {
        if let Some(file) = &mut backend.auth.key_file
            && file.is_relative()
        {
            *file = base_dir.join(&*file);
        }
        let a = &mut backend.auth;
        for file in [
            &mut a.credentials_file,
            &mut a.client_secret_file,
            &mut a.client_assertion_file,
            &mut a.web_identity_token_file,
            &mut a.subject_token_file,
        ]
        .into_iter()
        .flatten()
        {
            if file.is_relative() {
                *file = base_dir.join(&*file);
            }
        }
    }
    Ok(config)
}

/// The JSON Schema of the config file (for editors and CI checks).
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(GatewayConfig)).unwrap_or_default()
}

/// Validates a config built in code (the same checks as for a file).
pub fn check(config: &GatewayConfig) -> Result<(), Vec<String>> {
    let problems = validate::validate(config);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod rate_limit_tests;
#[cfg(test)]
mod route_match_tests;
#[cfg(test)]
mod tests;
