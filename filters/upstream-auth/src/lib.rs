//! aigw-upstream-auth filter.
