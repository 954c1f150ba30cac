//! Request costs: named quantities computed from a response's token usage and written to
//! per-request metadata (for rate-limit budgets and access logs).
//!
//! A cost is either one token count ([`CostKind`]) or a CEL expression ([`CelCost`]) over
//! the usage, model, backend and route ([`CostInput`]).

use crate::cost_cel::{CelCost, CelEvalError};
use crate::usage::TokenUsage;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// The `type` of a cost computed by a CEL expression (its `cel` field).
pub const CEL_TYPE: &str = "CEL";

/// How a cost is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostKind {
    /// Prompt tokens.
    InputToken,
    /// Completion tokens.
    OutputToken,
    /// Total tokens.
    TotalToken,
    /// Prompt tokens served from the backend's cache.
    CachedInputToken,
    /// Prompt tokens written to the backend's cache.
    CacheCreationInputToken,
    /// Reasoning tokens (part of the completion tokens).
    ReasoningToken,
}

impl CostKind {
    /// Every kind with its config name, in documentation order.
    pub const ALL: [CostKind; 6] = [
        Self::InputToken,
        Self::OutputToken,
        Self::TotalToken,
        Self::CachedInputToken,
        Self::CacheCreationInputToken,
        Self::ReasoningToken,
    ];

    /// The name used in configs (`"type": "TotalToken"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::InputToken => "InputToken",
            Self::OutputToken => "OutputToken",
            Self::TotalToken => "TotalToken",
            Self::CachedInputToken => "CachedInputToken",
            Self::CacheCreationInputToken => "CacheCreationInputToken",
            Self::ReasoningToken => "ReasoningToken",
        }
    }

    /// The cost of a response with the given usage.
    pub fn evaluate(self, usage: &TokenUsage) -> u64 {
        match self {
            Self::InputToken => usage.input_tokens,
            Self::OutputToken => usage.output_tokens,
            Self::TotalToken => usage.total_tokens,
            Self::CachedInputToken => usage.cached_input_tokens,
            Self::CacheCreationInputToken => usage.cache_creation_input_tokens,
            Self::ReasoningToken => usage.reasoning_tokens,
        }
    }
}

/// A cost type name that no [`CostKind`] has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCostKind(pub String);

impl fmt::Display for UnknownCostKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown cost type {:?}; expected one of ", self.0)?;
        for (i, kind) in CostKind::ALL.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{}", kind.name())?;
        }
        write!(f, ", {CEL_TYPE}")
    }
}

impl std::error::Error for UnknownCostKind {}

impl FromStr for CostKind {
    type Err = UnknownCostKind;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
            .ok_or_else(|| UnknownCostKind(name.to_string()))
    }
}

/// What a cost is computed from: one response's usage and where it went.
#[derive(Debug, Clone, Copy)]
pub struct CostInput<'a> {
    /// The response's token usage.
    pub usage: &'a TokenUsage,
    /// The model the response names (the requested one when it names none).
    pub model: &'a str,
    /// The backend that served the request.
    pub backend: &'a str,
    /// The gateway route that matched the request (empty when unknown).
    pub route_name: &'a str,
}

/// How a cost is computed.
#[derive(Debug, Clone, PartialEq)]
pub enum Formula {
    /// One token count.
    Tokens(CostKind),
    /// A CEL expression, compiled once and shared by every stream of a config.
    Cel(Arc<CelCost>),
}

impl Formula {
    /// Builds the formula of a cost config entry: `type` names a [`CostKind`] or is
    /// [`CEL_TYPE`], in which case `cel` holds the expression (and must be absent
    /// otherwise). Errors are relative to the entry: `type: ...` or `cel: ...`.
    pub fn from_config(kind: &str, cel: Option<&str>) -> Result<Self, String> {
        match (kind, cel) {
            (CEL_TYPE, Some(source)) => CelCost::compile(source)
                .map(|c| Self::Cel(Arc::new(c)))
                .map_err(|e| format!("cel: {e}")),
            (CEL_TYPE, None) => Err("cel: required when type is CEL".into()),
            (_, Some(_)) => Err(format!("cel: only allowed with type {CEL_TYPE}")),
            (name, None) => name
                .parse()
                .map(Self::Tokens)
                .map_err(|e: UnknownCostKind| format!("type: {e}")),
        }
    }

    /// The cost of one response.
    pub fn evaluate(&self, input: &CostInput<'_>) -> Result<u64, CelEvalError> {
        match self {
            Self::Tokens(kind) => Ok(kind.evaluate(input.usage)),
            Self::Cel(cel) => cel.evaluate(input),
        }
    }
}

/// A configured cost: where it goes and how it is computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Cost {
    /// Metadata key the value is written under.
    pub metadata_key: String,
    /// How the value is computed.
    pub formula: Formula,
}

#[cfg(test)]
mod tests {
    use super::*;

    const USAGE: TokenUsage = TokenUsage {
        input_tokens: 100,
        output_tokens: 20,
        total_tokens: 120,
        cached_input_tokens: 64,
        cache_creation_input_tokens: 16,
        reasoning_tokens: 8,
    };

    #[test]
    fn each_kind_picks_its_count() {
        let values: Vec<u64> = CostKind::ALL.iter().map(|k| k.evaluate(&USAGE)).collect();
        assert_eq!(values, vec![100, 20, 120, 64, 16, 8]);
        assert_eq!(CostKind::TotalToken.evaluate(&TokenUsage::default()), 0);
    }

    #[test]
    fn names_round_trip() {
        for kind in CostKind::ALL {
            assert_eq!(kind.name().parse::<CostKind>(), Ok(kind));
        }
    }

    #[test]
    fn unknown_name_lists_the_valid_ones() {
        let err = "Foo".parse::<CostKind>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown cost type \"Foo\"; expected one of InputToken, OutputToken, TotalToken, CachedInputToken, CacheCreationInputToken, ReasoningToken, CEL"
        );
        assert!("totaltoken".parse::<CostKind>().is_err());
    }

    #[test]
    fn formula_from_config() {
        let input = CostInput {
            usage: &USAGE,
            model: "m",
            backend: "b",
            route_name: "r",
        };
        let tokens = Formula::from_config("ReasoningToken", None).unwrap();
        assert_eq!(tokens.evaluate(&input), Ok(8));
        let cel = Formula::from_config("CEL", Some("input_tokens + 1")).unwrap();
        assert_eq!(cel.evaluate(&input), Ok(101));
        assert_eq!(
            Formula::from_config("CEL", None).unwrap_err(),
            "cel: required when type is CEL"
        );
        assert_eq!(
            Formula::from_config("TotalToken", Some("1")).unwrap_err(),
            "cel: only allowed with type CEL"
        );
        assert!(
            Formula::from_config("Foo", None)
                .unwrap_err()
                .starts_with("type: unknown cost type \"Foo\"")
        );
        assert_eq!(
            Formula::from_config("CEL", Some("1 +")).unwrap_err(),
            "cel: CEL error at column 4: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}"
        );
    }
}
