//! Checks of the Vertex AI fields of a backend (`project`, `region`, the auth kind); every
//! error names the field path.

use super::model::{AuthKind, Backend};

/// Checks `b` (at field path `at`): Vertex AI schemas need a project and a region and an
/// OAuth bearer credential; other schemas must not set `project` or `region`.
pub(super) fn backend(at: &str, b: &Backend, errors: &mut Vec<String>) {
    let schema = b.schema.as_str();
    if !b.schema.is_vertex() {
        for (field, set) in [
            ("project", b.project.is_some()),
            ("region", b.region.is_some()),
        ] {
            if set {
                errors.push(format!(
                    "{at}.{field}: only valid with schemas GCPVertexAI and GCPAnthropic (schema is {schema})"
                ));
            }
        }
        return;
    }
    match b.project.as_deref() {
        None => errors.push(format!(
            "{at}.project: required for schema {schema} (the Google Cloud project id)"
        )),
        Some(p) if !is_project_id(p) => errors.push(format!(
            "{at}.project: {p:?} must be a Google Cloud project id (lower-case letters, digits, '-'; '.' and ':' for domain-scoped projects)"
        )),
        Some(_) => {}
    }
    match b.region.as_deref() {
        None => errors.push(format!(
            "{at}.region: required for schema {schema} (e.g. us-central1, or global)"
        )),
        Some(r) if !is_region(r) => errors.push(format!(
            "{at}.region: {r:?} must be a Google Cloud region such as us-central1 or global (a-z, 0-9, -)"
        )),
        Some(_) => {}
    }
    if !matches!(
        b.auth.kind,
        AuthKind::GcpServiceAccount | AuthKind::GcpWorkloadIdentity | AuthKind::Bearer
    ) {
        errors.push(format!(
            "{at}.auth.kind: schema {schema} authenticates with a Google OAuth access token (gcp_service_account, gcp_workload_identity, or bearer with a token), got {}",
            b.auth.kind.as_str()
        ));
    }
}

fn is_project_id(p: &str) -> bool {
    !p.is_empty()
        && p.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"-.:".contains(&c))
}

fn is_region(r: &str) -> bool {
    !r.is_empty()
        && r.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

#[cfg(test)]
#[path = "validate_vertex_tests.rs"]
mod tests;
