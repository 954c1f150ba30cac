//! `/v1/responses`, `/v1/images/generations` and `/v1/audio/*`: routed by the JSON body's
//! model, passed through to OpenAI-schema backends (Azure: its own paths), refused elsewhere.

use crate::test_support::filter;
use aigw_host::BodyStatus;
use aigw_host::test_host::TestHost;

fn header<'a>(h: &'a TestHost, name: &str) -> Option<&'a str> {
    h.request_headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn run(
    config: &str,
    path: &str,
    body: &[u8],
    extra: &[(&str, &str)],
) -> (TestHost, Option<BodyStatus>) {
    let mut f = filter(config);
    let mut headers = vec![(":method", "POST"), (":path", path)];
    headers.extend_from_slice(extra);
    let mut h = TestHost::with_request_headers(&headers);
    let (_, bs) = h.run_request(&mut f, body);
    (h, bs)
}

const ROUTER: &str = r#"{"role":"router"}"#;

#[test]
fn router_names_the_model_of_json_bodies() {
    for path in [
        "/v1/responses",
        "/v1/images/generations",
        "/v1/audio/speech",
    ] {
        let body = br#"{"model":"gpt-x","input":"hi"}"#;
        let (h, bs) = run(ROUTER, path, body, &[("x-aigw-model-override", "sneaky")]);
        assert_eq!(bs, Some(BodyStatus::Continue), "{path}");
        assert_eq!(header(&h, "x-ai-eg-model"), Some("gpt-x"));
        assert_eq!(header(&h, "x-aigw-model-override"), None);
        assert_eq!(h.request_body, body);
        assert_eq!(h.route_cache_cleared, 1);
    }
    let (h, bs) = run(ROUTER, "/v1/responses", br#"{"input":"hi"}"#, &[]);
    assert_eq!(bs, Some(BodyStatus::StopNoBuffer));
    let reply = h.local_reply.unwrap();
    assert_eq!(reply.status, 400);
    let v: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(v["error"]["param"], "model");
}

#[test]
fn router_reads_the_model_field_of_multipart_uploads() {
    let body = b"--b1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\nRIFF{\"model\":\"no\"}\r\n--b1\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n--b1--\r\n";
    let ct = [("content-type", "multipart/form-data; boundary=b1")];
    let (h, bs) = run(ROUTER, "/v1/audio/transcriptions", body, &ct);
    assert_eq!(bs, Some(BodyStatus::Continue));
    assert_eq!(header(&h, "x-ai-eg-model"), Some("whisper-1"));
    assert_eq!(h.request_body, body, "the upload passes unchanged");
    let (h, _) = run(
        ROUTER,
        "/v1/audio/translations",
        b"{}",
        &[("content-type", "application/json")],
    );
    assert_eq!(h.local_reply.expect("a 400").status, 400);
}

#[test]
fn openai_backend_keeps_the_path_under_its_prefix_and_overrides_the_model() {
    let config = r#"{"role":"backend","backend":"g","schema":"OpenAI","path_prefix":"/openai/v1"}"#;
    let body = br#"{"model":"a","prompt":"cat"}"#;
    let (h, bs) = run(
        config,
        "/v1/images/generations",
        body,
        &[("x-aigw-model-override", "b")],
    );
    assert_eq!(bs, Some(BodyStatus::Continue));
    assert_eq!(header(&h, ":path"), Some("/openai/v1/images/generations"));
    assert_eq!(h.request_body, br#"{"model":"b","prompt":"cat"}"#);
}

#[test]
fn azure_backend_gets_its_own_paths() {
    let config = r#"{"role":"backend","backend":"az","schema":"AzureOpenAI","azure_api_version":"2024-10-21"}"#;
    let model = [("x-ai-eg-model", "dall-e-3")];
    let (h, _) = run(
        config,
        "/v1/images/generations",
        br#"{"model":"dall-e-3"}"#,
        &model,
    );
    assert_eq!(
        header(&h, ":path"),
        Some("/openai/deployments/dall-e-3/images/generations?api-version=2024-10-21")
    );
    let (h, _) = run(
        config,
        "/v1/responses",
        br#"{"model":"gpt"}"#,
        &[("x-aigw-model-override", "dep")],
    );
    assert_eq!(header(&h, ":path"), Some("/openai/v1/responses"));
    assert_eq!(h.request_body, br#"{"model":"dep"}"#);
}

#[test]
fn other_schemas_refuse_with_an_openai_404() {
    for schema in ["Anthropic", "Gemini", "Cohere"] {
        let config = format!(r#"{{"role":"backend","backend":"x","schema":"{schema}"}}"#);
        let (h, _) = run(&config, "/v1/responses", br#"{"model":"m"}"#, &[]);
        let reply = h.local_reply.expect("a local reply");
        assert_eq!(reply.status, 404, "{schema}");
        assert!(String::from_utf8_lossy(&reply.body).contains("OpenAI-schema backends only"));
    }
}
