//! CEL cost expressions: compiled and checked once at config load, evaluated per response
//! over the response's token usage, model, backend and route.
//!
//! An expression sees the variables in [`VARIABLES`]: the token counts as `int`, and `model`,
//! `backend`, `route_name` as `string`. It must yield a non-negative `int` or a `uint`.

use crate::cost::CostInput;
use cel::{Context, Env, ExecutionError, Program, Value};
use std::fmt;
use std::sync::Arc;

/// Names an expression may use, in documentation order.
pub const VARIABLES: [&str; 9] = [
    "model",
    "backend",
    "route_name",
    "input_tokens",
    "cached_input_tokens",
    "cache_creation_input_tokens",
    "output_tokens",
    "total_tokens",
    "reasoning_tokens",
];

pub use crate::cel_expr::{CelCompileError, MAX_EXPRESSION_BYTES};

/// A compiled cost expression.
pub struct CelCost {
    source: String,
    program: Program,
    env: Arc<Env>,
}

impl fmt::Debug for CelCost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CelCost").field(&self.source).finish()
    }
}

impl PartialEq for CelCost {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// Why an expression yielded no cost for one response.
#[derive(Debug, Clone, PartialEq)]
pub enum CelEvalError {
    /// Evaluation failed (overflow, division by zero, a type mismatch on this input...).
    Execution(ExecutionError),
    /// The result was a negative integer.
    Negative(i64),
    /// The result was not an integer.
    WrongType(String),
}

impl fmt::Display for CelEvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Execution(e) => write!(f, "evaluation failed: {e}"),
            Self::Negative(v) => write!(f, "result {v} is negative"),
            Self::WrongType(t) => write!(f, "result is a {t}, not an int or uint"),
        }
    }
}

impl std::error::Error for CelEvalError {}

/// Usage the expression is tried on at config load, to reject type errors early.
const SAMPLE: CostInput<'static> = CostInput {
    usage: &crate::usage::TokenUsage {
        input_tokens: 1000,
        output_tokens: 200,
        total_tokens: 1200,
        cached_input_tokens: 100,
        cache_creation_input_tokens: 50,
        reasoning_tokens: 20,
    },
    model: "gpt-4o-mini",
    backend: "openai",
    route_name: "route",
};

impl CelCost {
    /// Parses `source`, checks that it names only [`VARIABLES`] and standard functions, and
    /// tries it on a sample usage so that type errors (`model * 2`, a string result) are
    /// caught here rather than per request.
    pub fn compile(source: &str) -> Result<Self, CelCompileError> {
        let (program, env) = crate::cel_expr::compile(source, &VARIABLES)?;
        let cost = Self {
            source: source.to_string(),
            program,
            env,
        };
        match cost.evaluate(&SAMPLE) {
            Err(CelEvalError::WrongType(t)) => Err(CelCompileError::whole(format!(
                "expression yields a {t}; it must yield an int or uint"
            ))),
            Err(CelEvalError::Execution(e)) if crate::cel_expr::is_type_error(&e) => {
                Err(CelCompileError::whole(e.to_string()))
            }
            _ => Ok(cost),
        }
    }

    /// The expression text as configured.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates the expression over one response.
    pub fn evaluate(&self, input: &CostInput<'_>) -> Result<u64, CelEvalError> {
        let mut context = Context::with_env(Arc::clone(&self.env));
        let usage = input.usage;
        let counts = [
            ("input_tokens", usage.input_tokens),
            ("cached_input_tokens", usage.cached_input_tokens),
            (
                "cache_creation_input_tokens",
                usage.cache_creation_input_tokens,
            ),
            ("output_tokens", usage.output_tokens),
            ("total_tokens", usage.total_tokens),
            ("reasoning_tokens", usage.reasoning_tokens),
        ];
        for (name, count) in counts {
            let count = i64::try_from(count).unwrap_or(i64::MAX);
            context.add_variable_from_value(name, Value::Int(count));
        }
        let strings = [
            ("model", input.model),
            ("backend", input.backend),
            ("route_name", input.route_name),
        ];
        for (name, text) in strings {
            context.add_variable_from_value(name, Value::String(Arc::new(text.to_string())));
        }
        match self.program.execute(&context) {
            Ok(Value::Int(v)) => u64::try_from(v).map_err(|_| CelEvalError::Negative(v)),
            Ok(Value::UInt(v)) => Ok(v),
            Ok(other) => Err(CelEvalError::WrongType(other.type_of().to_string())),
            Err(e) => Err(CelEvalError::Execution(e)),
        }
    }
}

#[cfg(test)]
#[path = "cost_cel_tests.rs"]
mod tests;
