//! Per-server tool filters: include and exclude lists of exact names and regular
//! expressions, compiled once at config load.

use regex::RegexSet;
use serde::Deserialize;

/// A tool filter as configured. Names are the backend's own tool names (without prefix).
/// Regular expressions must match the whole name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolFilterConfig {
    /// When this or `include_regex` is non-empty, only matching tools are exposed.
    #[serde(default)]
    pub include: Vec<String>,
    /// Regular expressions of tools to expose.
    #[serde(default)]
    pub include_regex: Vec<String>,
    /// Tools never exposed (wins over include).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Regular expressions of tools never exposed.
    #[serde(default)]
    pub exclude_regex: Vec<String>,
}

/// A compiled tool filter.
#[derive(Debug, Clone)]
pub struct ToolFilter {
    include: Vec<String>,
    include_regex: RegexSet,
    exclude: Vec<String>,
    exclude_regex: RegexSet,
}

impl ToolFilter {
    /// Compiles `config`; an error names the bad field and pattern (`field` is the
    /// config path of the filter, for example `servers[0].tools`).
    pub fn compile(config: &ToolFilterConfig, field: &str) -> Result<Self, String> {
        let set = |patterns: &[String], name: &str| {
            RegexSet::new(patterns.iter().map(|p| format!("^(?:{p})$")))
                .map_err(|e| format!("{field}.{name}: invalid regular expression: {e}"))
        };
        Ok(Self {
            include: config.include.clone(),
            include_regex: set(&config.include_regex, "include_regex")?,
            exclude: config.exclude.clone(),
            exclude_regex: set(&config.exclude_regex, "exclude_regex")?,
        })
    }

    /// Whether the tool named `name` (the backend's name) is exposed.
    pub fn allows(&self, name: &str) -> bool {
        let included = (self.include.is_empty() && self.include_regex.is_empty())
            || self.include.iter().any(|n| n == name)
            || self.include_regex.is_match(name);
        included && !self.exclude.iter().any(|n| n == name) && !self.exclude_regex.is_match(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(
        include: &[&str],
        include_regex: &[&str],
        exclude: &[&str],
        exclude_regex: &[&str],
    ) -> ToolFilter {
        let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect();
        let config = ToolFilterConfig {
            include: v(include),
            include_regex: v(include_regex),
            exclude: v(exclude),
            exclude_regex: v(exclude_regex),
        };
        ToolFilter::compile(&config, "servers[0].tools").unwrap()
    }

    #[test]
    fn empty_filter_allows_everything() {
        assert!(filter(&[], &[], &[], &[]).allows("anything"));
    }

    #[test]
    fn include_lists_restrict() {
        let f = filter(&["add"], &["get_.*"], &[], &[]);
        assert!(f.allows("add"));
        assert!(f.allows("get_weather"));
        assert!(!f.allows("add2"));
        assert!(!f.allows("xget_weather"), "regexes match the whole name");
    }

    #[test]
    fn exclude_wins() {
        let f = filter(&[], &["get_.*"], &["get_secret"], &[".*_admin"]);
        assert!(f.allows("get_weather"));
        assert!(!f.allows("get_secret"));
        assert!(!f.allows("get_admin"));
    }

    #[test]
    fn bad_regex_names_the_field() {
        let config = ToolFilterConfig {
            exclude_regex: vec!["(".into()],
            ..Default::default()
        };
        let err = ToolFilter::compile(&config, "servers[1].tools").unwrap_err();
        assert!(
            err.starts_with("servers[1].tools.exclude_regex: invalid regular expression"),
            "{err}"
        );
    }
}
