//! aigw-translate filter.
