//! Request costs: named quantities computed from a response's token usage and written to
//! per-request metadata (for rate-limit budgets and access logs).
//!
//! A cost is a [`CostKind`] evaluated over [`TokenUsage`]. New kinds (for example a CEL
//! expression over the usage, model and backend) are added as variants with their own
//! parsing in [`CostKind::from_str`] and evaluation in [`CostKind::evaluate`].

use crate::usage::TokenUsage;
use std::fmt;
use std::str::FromStr;

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
}

impl CostKind {
    /// Every kind with its config name, in documentation order.
    pub const ALL: [CostKind; 4] = [
        Self::InputToken,
        Self::OutputToken,
        Self::TotalToken,
        Self::CachedInputToken,
    ];

    /// The name used in configs (`"type": "TotalToken"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::InputToken => "InputToken",
            Self::OutputToken => "OutputToken",
            Self::TotalToken => "TotalToken",
            Self::CachedInputToken => "CachedInputToken",
        }
    }

    /// The cost of a response with the given usage.
    pub fn evaluate(self, usage: &TokenUsage) -> u64 {
        match self {
            Self::InputToken => usage.input_tokens,
            Self::OutputToken => usage.output_tokens,
            Self::TotalToken => usage.total_tokens,
            Self::CachedInputToken => usage.cached_input_tokens,
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
        Ok(())
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

/// A configured cost: where it goes and how it is computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cost {
    /// Metadata key the value is written under.
    pub metadata_key: String,
    /// How the value is computed.
    pub kind: CostKind,
}

#[cfg(test)]
mod tests {
    use super::*;

    const USAGE: TokenUsage = TokenUsage {
        input_tokens: 100,
        output_tokens: 20,
        total_tokens: 120,
        cached_input_tokens: 64,
    };

    #[test]
    fn each_kind_picks_its_count() {
        let values: Vec<u64> = CostKind::ALL.iter().map(|k| k.evaluate(&USAGE)).collect();
        assert_eq!(values, vec![100, 20, 120, 64]);
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
            "unknown cost type \"Foo\"; expected one of InputToken, OutputToken, TotalToken, CachedInputToken"
        );
        assert!("totaltoken".parse::<CostKind>().is_err());
    }
}
