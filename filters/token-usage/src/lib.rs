//! aigw-token-usage filter.
