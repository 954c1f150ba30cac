use super::*;

#[test]
fn router_defaults() {
    let c = TranslateConfig::parse(r#"{"role":"router"}"#).unwrap();
    assert_eq!(
        c,
        TranslateConfig::Router(RouterConfig {
            force_include_usage: false,
            reserve_tokens: false,
            default_output_tokens: 256,
            api_key_id: false,
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            max_messages: 4096,
            max_tools: 128,
            models: Vec::new(),
            models_created: 0,
            models_body: br#"{"data":[],"object":"list"}"#.to_vec(),
        })
    );
    let c = TranslateConfig::parse(
        r#"{"role":"router","force_include_usage":true,"max_request_bytes":10}"#,
    )
    .unwrap();
    assert!(matches!(
        c,
        TranslateConfig::Router(RouterConfig {
            force_include_usage: true,
            max_request_bytes: 10,
            ..
        })
    ));
}

#[test]
fn router_limits() {
    let c = TranslateConfig::parse(r#"{"role":"router","max_messages":3,"max_tools":0}"#).unwrap();
    let TranslateConfig::Router(router) = c else {
        panic!("not a router")
    };
    assert_eq!((router.max_messages, router.max_tools), (3, 0));
    let e = TranslateConfig::parse(r#"{"role":"router","max_messages":0}"#).unwrap_err();
    assert_eq!(e, "translate config: max_messages must be greater than 0");
    let e = TranslateConfig::parse(r#"{"role":"router","max_tools":-1}"#).unwrap_err();
    assert!(e.starts_with("translate config: invalid value"), "{e}");
}

#[test]
fn backend_configs() {
    let c =
        TranslateConfig::parse(r#"{"role":"backend","backend":"oai","schema":"OpenAI"}"#).unwrap();
    assert_eq!(
        c,
        TranslateConfig::Backend(BackendConfig {
            backend: "oai".into(),
            authority: None,
            model_override: None,
            retried: false,
            target: Target::OpenAI {
                path_prefix: "/v1".into()
            },
        })
    );
    let c = TranslateConfig::parse(
        r#"{"role":"backend","backend":"az","schema":"AzureOpenAI","azure_api_version":"2024-10-21"}"#,
    )
    .unwrap();
    assert_eq!(
        c,
        TranslateConfig::Backend(BackendConfig {
            backend: "az".into(),
            authority: None,
            model_override: None,
            retried: false,
            target: Target::AzureOpenAI {
                api_version: "2024-10-21".into()
            },
        })
    );
}

#[test]
fn anthropic_backend_defaults_to_empty_prefix() {
    let c =
        TranslateConfig::parse(r#"{"role":"backend","backend":"c","schema":"Anthropic"}"#).unwrap();
    assert_eq!(
        c,
        TranslateConfig::Backend(BackendConfig {
            backend: "c".into(),
            authority: None,
            model_override: None,
            retried: false,
            target: Target::Anthropic {
                path_prefix: String::new()
            },
        })
    );
    assert!(
        err(r#"{"role":"backend","backend":"c","schema":"Anthropic","azure_api_version":"2024-10-21"}"#)
            .contains("azure_api_version is only valid")
    );
}

#[test]
fn bedrock_backend_defaults_to_empty_prefix() {
    let c = TranslateConfig::parse(
        r#"{"role":"backend","backend":"aws","schema":"AWSBedrock","authority":"bedrock-runtime.us-east-1.amazonaws.com"}"#,
    )
    .unwrap();
    assert_eq!(
        c,
        TranslateConfig::Backend(BackendConfig {
            backend: "aws".into(),
            authority: Some("bedrock-runtime.us-east-1.amazonaws.com".into()),
            model_override: None,
            retried: false,
            target: Target::AwsBedrock {
                path_prefix: String::new()
            },
        })
    );
    assert!(
        err(r#"{"role":"backend","backend":"c","schema":"AWSBedrock","azure_api_version":"2024-10-21"}"#)
            .contains("azure_api_version is only valid")
    );
}

fn err(text: &str) -> String {
    TranslateConfig::parse(text).unwrap_err()
}

#[test]
fn errors_name_the_field() {
    assert!(err(r#"{"role":"router","max_request_bytes":0}"#).contains("max_request_bytes"));
    assert!(
        err(r#"{"role":"router","max_request_bytes":-1}"#)
            .starts_with("translate config: invalid value")
    );
    assert!(err(r#"{"role":"router","force_include_usage":"yes"}"#).contains("invalid type"));
    assert!(err(r#"{"role":"router","max_body":1}"#).contains("unknown field `max_body`"));
    assert!(err(r#"{"role":"proxy"}"#).contains("unknown variant `proxy`"));
    assert!(err(r#"{}"#).contains("missing field `role`"));
    assert!(err(r#"{"role":"backend","schema":"OpenAI"}"#).contains("missing field `backend`"));
    assert!(err(r#"{"role":"backend","backend":"b"}"#).contains("missing field `schema`"));
    assert!(
        err(r#"{"role":"backend","backend":"b","schema":"Bedrock"}"#)
            .contains("unknown variant `Bedrock`")
    );
    assert!(
        err(r#"{"role":"backend","backend":"","schema":"OpenAI"}"#).contains("backend must be")
    );
    assert!(
        err(r#"{"role":"backend","backend":"b","schema":"OpenAI","path_prefix":"v1/"}"#)
            .contains("path_prefix")
    );
    assert!(
        err(r#"{"role":"backend","backend":"b","schema":"OpenAI","path_prefix":"/a?b"}"#)
            .contains("path_prefix")
    );
    assert_eq!(
        err(r#"{"role":"backend","backend":"b","schema":"AzureOpenAI"}"#),
        "translate config: azure_api_version is required when schema is AzureOpenAI"
    );
    assert!(
        err(r#"{"role":"backend","backend":"b","schema":"AzureOpenAI","azure_api_version":"x&y"}"#)
            .contains("azure_api_version must be")
    );
    assert!(err("not json").starts_with("translate config: "));
}

#[test]
fn backend_model_override_is_kept_and_checked() {
    let ok = TranslateConfig::parse(
        r#"{"role":"backend","backend":"b","schema":"Anthropic","model_override":"claude-x"}"#,
    )
    .unwrap();
    let TranslateConfig::Backend(b) = ok else {
        panic!("not a backend config")
    };
    assert_eq!(b.model_override.as_deref(), Some("claude-x"));
    let err = TranslateConfig::parse(
        r#"{"role":"backend","backend":"b","schema":"OpenAI","model_override":""}"#,
    )
    .unwrap_err();
    assert!(err.contains("model_override"), "{err}");
}

#[test]
fn vertex_configs_need_the_project_prefix() {
    for (schema, want) in [
        (
            "GCPVertexAI",
            Target::GcpVertexAi {
                path_prefix: "/v1/projects/p/locations/global".into(),
            },
        ),
        (
            "GCPAnthropic",
            Target::GcpAnthropic {
                path_prefix: "/v1/projects/p/locations/global".into(),
            },
        ),
    ] {
        let text = format!(
            r#"{{"role":"backend","backend":"v","schema":"{schema}","path_prefix":"/v1/projects/p/locations/global"}}"#
        );
        let TranslateConfig::Backend(b) = TranslateConfig::parse(&text).unwrap() else {
            panic!("not a backend")
        };
        assert_eq!(b.target, want);
        let e = TranslateConfig::parse(&format!(
            r#"{{"role":"backend","backend":"v","schema":"{schema}"}}"#
        ))
        .unwrap_err();
        assert!(e.contains("path_prefix is required"), "{e}");
    }
}
