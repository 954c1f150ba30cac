//! The config file as a YAML tree with source positions: parsing, `${VAR}` substitution,
//! typed deserialization, and the line and column of a field path for messages.

use marked_yaml::{LoaderOptions, Node, Span};
use serde::de::DeserializeOwned;

use super::env::substitute;

/// A problem found in the file: `path: message`, and where it is when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `field.path: message`.
    pub message: String,
    /// 1-based line and column in the YAML text.
    pub at: Option<(usize, usize)>,
}

impl Problem {
    /// The message followed by ` (line L, column C)` when the position is known.
    pub fn located(&self) -> String {
        match self.at {
            Some((line, column)) => format!("{} (line {line}, column {column})", self.message),
            None => self.message.clone(),
        }
    }
}

/// A parsed YAML document.
pub struct Document {
    root: Node,
}

impl Document {
    /// Parses YAML text whose top level must be a mapping; duplicate keys are errors.
    pub fn parse(text: &str) -> Result<Self, Problem> {
        let options = LoaderOptions::default()
            .error_on_duplicate_keys(true)
            .toplevel_mapping();
        marked_yaml::parse_yaml_with_options(0, text, options)
            .map(|root| Self { root })
            .map_err(|e| load_problem(&e))
    }

    /// Replaces `${VAR}` and `${VAR:-default}` in every string value, reading variables
    /// with `lookup`; returns a problem per value that cannot be substituted.
    pub fn substitute_env(&mut self, lookup: &dyn Fn(&str) -> Option<String>) -> Vec<Problem> {
        let mut problems = Vec::new();
        substitute_node(&mut self.root, "", lookup, &mut problems);
        problems
    }

    /// Deserializes the tree; the error names the field path and position.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Problem> {
        marked_yaml::from_node(&self.root).map_err(|e| {
            let at = e.start_mark().map(|m| (m.line(), m.column()));
            let detail = match &*e {
                marked_yaml::Error::UnknownFieldError(field, expected, _) => {
                    let expected: Vec<String> = expected.iter().map(|f| format!("`{f}`")).collect();
                    format!(
                        "unknown field `{field}`, expected one of {}",
                        expected.join(", ")
                    )
                }
                other => other.to_string(),
            };
            let path = e.path().filter(|p| !p.is_empty() && *p != ".");
            let missing = detail
                .strip_prefix("missing field `")
                .and_then(|f| f.strip_suffix('`'));
            match (path, missing) {
                // Name the missing field itself, at the mapping that lacks it.
                (_, Some(field)) => {
                    let parent = path.unwrap_or_default();
                    let mut problem = self.locate(format!("{parent}: "));
                    problem.message = match path {
                        Some(p) => format!("{p}.{field}: required field is missing"),
                        None => format!("{field}: required field is missing"),
                    };
                    problem.at = problem.at.or(Some((1, 1)));
                    problem
                }
                (Some(path), None) => Problem {
                    message: format!("{path}: {detail}"),
                    at,
                },
                (None, None) => Problem {
                    message: detail,
                    at,
                },
            }
        })
    }

    /// Attaches the position of the field a `path: message` problem names (the deepest
    /// part of the path present in the file).
    pub fn locate(&self, message: String) -> Problem {
        let path = message.split_once(": ").map_or("", |(p, _)| p);
        let at = self.find(path).and_then(|node| match node {
            // A mapping's own span starts at its first value; its first key reads better.
            Node::Mapping(m) => m.keys().next().and_then(|k| start(k.span())),
            other => start(other.span()),
        });
        Problem { message, at }
    }

    /// The deepest node on `path`; `None` when not even its first part is in the file.
    fn find(&self, path: &str) -> Option<&Node> {
        let mut node = None;
        for segment in segments(path) {
            let parent = node.unwrap_or(&self.root);
            let next = match (segment, parent) {
                (Segment::Key(k), Node::Mapping(m)) => m.get_node(k),
                (Segment::Index(i), Node::Sequence(s)) => s.get_node(i),
                _ => None,
            };
            match next {
                Some(n) => node = Some(n),
                None => break,
            }
        }
        node
    }
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

/// Splits `routes[1].backends[0].name` into keys and indexes.
fn segments(path: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Segment::Key(key));
        }
        while let Some((index, tail)) = rest.split_once(']') {
            if let Ok(i) = index.parse() {
                out.push(Segment::Index(i));
            }
            rest = tail.strip_prefix('[').unwrap_or(tail);
        }
    }
    out
}

fn start(span: &Span) -> Option<(usize, usize)> {
    span.start().map(|m| (m.line(), m.column()))
}

fn substitute_node(
    node: &mut Node,
    path: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<Problem>,
) {
    match node {
        Node::Scalar(scalar) => {
            if !scalar.as_str().contains('$') {
                return;
            }
            match substitute(scalar.as_str(), lookup) {
                Ok(value) => {
                    let span = *scalar.span();
                    let mut replaced = marked_yaml::types::MarkedScalarNode::new(span, value);
                    // A substituted value is text, never re-read as a YAML number or bool.
                    replaced.set_coerce(scalar.may_coerce());
                    *scalar = replaced;
                }
                Err(e) => problems.push(Problem {
                    message: format!("{path}: {e}"),
                    at: start(scalar.span()),
                }),
            }
        }
        Node::Sequence(seq) => {
            for (i, item) in seq.iter_mut().enumerate() {
                substitute_node(item, &format!("{path}[{i}]"), lookup, problems);
            }
        }
        Node::Mapping(map) => {
            for (key, value) in map.iter_mut() {
                let child = if path.is_empty() {
                    key.as_str().to_string()
                } else {
                    format!("{path}.{}", key.as_str())
                };
                substitute_node(value, &child, lookup, problems);
            }
        }
    }
}

fn load_problem(e: &marked_yaml::LoadError) -> Problem {
    use marked_yaml::LoadError as E;
    let (mark, message) = match e {
        E::DuplicateKey(inner) => (
            inner.key.span().start().copied(),
            format!(
                "{}: duplicate key (also at {})",
                inner.key.as_str(),
                inner
                    .prev_key
                    .span()
                    .start()
                    .map_or_else(|| "?".to_string(), |m| format!("line {}", m.line()))
            ),
        ),
        E::TopLevelMustBeMapping(m) | E::TopLevelMustBeSequence(m) => (
            Some(*m),
            "the config must be a YAML mapping of fields".to_string(),
        ),
        E::UnexpectedAnchor(m) => (Some(*m), "YAML anchors are not supported".to_string()),
        E::MappingKeyMustBeScalar(m) => {
            (Some(*m), "mapping keys must be plain strings".to_string())
        }
        E::UnexpectedTag(m) => (Some(*m), "YAML tags are not supported".to_string()),
        E::ScanError(m, scan) => (Some(*m), format!("invalid YAML: {}", scan.info())),
    };
    Problem {
        message,
        at: mark.map(|m| (m.line(), m.column())),
    }
}

#[cfg(test)]
#[path = "source_tests.rs"]
mod tests;
