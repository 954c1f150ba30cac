//! Fake provider.
