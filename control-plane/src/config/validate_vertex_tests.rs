//! Tests of the Vertex AI backend fields.

use crate::config::from_yaml;
use std::path::Path;

fn config(backend: &str) -> String {
    format!(
        "backends:\n  - {{ name: v, {backend} }}\nroutes:\n  - {{ name: r, models: [m], backend: v }}\n"
    )
}

fn problems(backend: &str) -> Vec<String> {
    from_yaml(&config(backend), Path::new("/cfg")).unwrap_err()
}

const SA: &str = "auth: { kind: gcp_service_account, credentials_env: GCP_SA_KEY }";

#[test]
fn default_endpoint_and_location_path_follow_region() {
    for (schema, region, endpoint) in [
        (
            "GCPVertexAI",
            "us-central1",
            "https://us-central1-aiplatform.googleapis.com",
        ),
        (
            "GCPAnthropic",
            "global",
            "https://aiplatform.googleapis.com",
        ),
    ] {
        let yaml = config(&format!(
            "schema: {schema}, project: my-proj, region: {region}, {SA}"
        ));
        let c = from_yaml(&yaml, Path::new("/cfg")).unwrap();
        let b = &c.backends[0];
        assert_eq!(b.endpoint_url(), endpoint);
        assert_eq!(
            b.vertex_location_path().unwrap(),
            format!("/v1/projects/my-proj/locations/{region}")
        );
    }
}

#[test]
fn missing_project_and_region_name_the_fields() {
    assert_eq!(
        problems(&format!("schema: GCPVertexAI, {SA}")),
        [
            "backends[0].project: required for schema GCPVertexAI (the Google Cloud project id)",
            "backends[0].region: required for schema GCPVertexAI (e.g. us-central1, or global)",
        ]
    );
    assert_eq!(
        problems(&format!("schema: GCPAnthropic, project: p, {SA}")),
        ["backends[0].region: required for schema GCPAnthropic (e.g. us-central1, or global)"]
    );
}

#[test]
fn bad_values_and_misplaced_fields_are_refused() {
    let p = problems(&format!(
        "schema: GCPAnthropic, project: My_Proj, region: US-East5, {SA}"
    ));
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p[0].starts_with("backends[0].project: \"My_Proj\" must be a Google Cloud project id"));
    assert!(p[1].starts_with("backends[0].region: \"US-East5\" must be a Google Cloud region"));
    assert_eq!(
        problems(
            "schema: GCPVertexAI, project: p, region: global, auth: { kind: gemini_api_key, key_env: K }"
        ),
        [
            "backends[0].auth.kind: schema GCPVertexAI authenticates with a Google OAuth access token (gcp_service_account, gcp_workload_identity, or bearer with a token), got gemini_api_key"
        ]
    );
    assert_eq!(
        problems(
            "schema: OpenAI, endpoint: \"http://127.0.0.1:1\", region: us-east5, auth: { kind: bearer, key_env: K }"
        ),
        [
            "backends[0].region: only valid with schemas GCPVertexAI and GCPAnthropic (schema is OpenAI)"
        ]
    );
}
