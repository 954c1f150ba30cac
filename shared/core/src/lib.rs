//! Pure gateway logic shared by the filters and the control plane; no Envoy dependency.

pub mod api_kind;
