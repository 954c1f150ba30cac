//! Compiling CEL expressions written in configs (costs, MCP authorization rules): a size
//! limit, a fixed set of variable names, and errors that give the line and column.

use cel::{Env, ExecutionError, Program};
use std::fmt;
use std::sync::Arc;

/// Longest accepted expression, in bytes: bounds the parser's and evaluator's recursion.
pub const MAX_EXPRESSION_BYTES: usize = 4096;

/// Why an expression was rejected at config load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CelCompileError {
    /// 1-based line in the expression (1 for one-line expressions).
    pub line: u32,
    /// 1-based column in that line, when the error has a position.
    pub column: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl CelCompileError {
    /// An error about the expression as a whole (no position).
    pub fn whole(message: String) -> Self {
        Self {
            line: 1,
            column: None,
            message,
        }
    }
}

impl fmt::Display for CelCompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (1, Some(col)) => write!(f, "CEL error at column {col}: {}", self.message),
            (line, Some(col)) => write!(
                f,
                "CEL error at line {line}, column {col}: {}",
                self.message
            ),
            (_, None) => write!(f, "CEL error: {}", self.message),
        }
    }
}

impl std::error::Error for CelCompileError {}

/// Parses `source` for the standard environment and checks that it names only `variables`.
pub fn compile(source: &str, variables: &[&str]) -> Result<(Program, Arc<Env>), CelCompileError> {
    if source.trim().is_empty() {
        return Err(CelCompileError::whole("expression is empty".into()));
    }
    if source.len() > MAX_EXPRESSION_BYTES {
        return Err(CelCompileError::whole(format!(
            "expression is longer than {MAX_EXPRESSION_BYTES} bytes"
        )));
    }
    let env = Arc::new(Env::stdlib());
    let program = env.compile(source).map_err(|errors| {
        let first = errors.errors.first();
        CelCompileError {
            line: first.map_or(1, |e| u32::try_from(e.pos.0).unwrap_or(1).max(1)),
            column: first.and_then(|e| u32::try_from(e.pos.1).ok()),
            message: first.map_or_else(|| "syntax error".to_string(), |e| e.msg.clone()),
        }
    })?;
    let references = program.references();
    let mut unknown: Vec<&str> = references
        .variables()
        .into_iter()
        .filter(|v| !variables.contains(v))
        .collect();
    unknown.sort_unstable();
    if let Some(name) = unknown.first() {
        let (line, column) = position_of(&program, source, name);
        return Err(CelCompileError {
            line,
            column,
            message: format!(
                "unknown variable `{name}`; expected one of {}",
                variables.join(", ")
            ),
        });
    }
    Ok((program, env))
}

/// Evaluation errors that mean the expression is wrong whatever its input (rejected at
/// config load when a sample evaluation hits one).
pub fn is_type_error(e: &ExecutionError) -> bool {
    matches!(
        e,
        ExecutionError::NoSuchOverload(_)
            | ExecutionError::UndeclaredReference(_)
            | ExecutionError::UnsupportedBinaryOperator(..)
            | ExecutionError::UnexpectedType { .. }
            | ExecutionError::ValuesNotComparable(..)
            | ExecutionError::NotSupportedAsMethod { .. }
            | ExecutionError::UnsupportedTargetType { .. }
            | ExecutionError::InvalidArgumentCount { .. }
    )
}

/// Line and column of the first node of `program` that spells `name` (node offsets are
/// token start and inclusive stop).
fn position_of(program: &Program, source: &str, name: &str) -> (u32, Option<u32>) {
    let info = program.source_info();
    let start = (1..=4 * source.len() as u64 + 8)
        .filter_map(|id| info.offset_for(id))
        .filter(|(s, e)| source.get(*s as usize..=*e as usize) == Some(name))
        .map(|(s, _)| s as usize)
        .min();
    let Some(start) = start else {
        return (1, None);
    };
    let before = &source[..start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).ok(),
    )
}
