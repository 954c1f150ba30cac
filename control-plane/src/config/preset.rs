//! OpenAI-compatible provider presets: a backend with `preset: groq` (and schema OpenAI)
//! gets the provider's public base URL (host, port, TLS and path prefix) as its endpoint
//! unless it names one itself (for example a remote Ollama or vLLM host).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::model::{AuthKind, Backend, Schema};

/// A provider with an OpenAI-compatible API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// Mistral AI, `https://api.mistral.ai/v1`.
    Mistral,
    /// Groq, `https://api.groq.com/openai/v1`.
    Groq,
    /// DeepSeek, `https://api.deepseek.com/v1`.
    Deepseek,
    /// Together AI, `https://api.together.ai/v1`.
    Together,
    /// Fireworks AI, `https://api.fireworks.ai/inference/v1`.
    Fireworks,
    /// xAI, `https://api.x.ai/v1`.
    Xai,
    /// OpenRouter, `https://openrouter.ai/api/v1`.
    Openrouter,
    /// A local Ollama server, `http://127.0.0.1:11434/v1`.
    Ollama,
    /// A local vLLM server (`vllm serve`), `http://127.0.0.1:8000/v1`.
    Vllm,
}

impl Preset {
    /// The provider's OpenAI-compatible base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            Self::Mistral => "https://api.mistral.ai/v1",
            Self::Groq => "https://api.groq.com/openai/v1",
            Self::Deepseek => "https://api.deepseek.com/v1",
            Self::Together => "https://api.together.ai/v1",
            Self::Fireworks => "https://api.fireworks.ai/inference/v1",
            Self::Xai => "https://api.x.ai/v1",
            Self::Openrouter => "https://openrouter.ai/api/v1",
            Self::Ollama => "http://127.0.0.1:11434/v1",
            Self::Vllm => "http://127.0.0.1:8000/v1",
        }
    }
}

/// Checks a backend's preset (at field path `at`): only with schema OpenAI, and these
/// providers take `authorization: Bearer` keys.
pub(super) fn validate(at: &str, b: &Backend, errors: &mut Vec<String>) {
    if b.preset.is_none() {
        return;
    }
    if b.schema != Schema::OpenAI {
        errors.push(format!(
            "{at}.preset: presets are OpenAI-compatible providers; schema must be OpenAI, got {}",
            b.schema.as_str()
        ));
    }
    if b.auth.kind != AuthKind::Bearer {
        errors.push(format!(
            "{at}.auth.kind: preset providers authenticate with bearer (authorization: Bearer), got {}",
            b.auth.kind.as_str()
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bootstrap::{GenerateOptions, generate};
    use crate::config::{endpoint, from_yaml};
    use std::path::Path;

    fn yaml(backend: &str) -> String {
        format!("backends:\n  - {backend}\nroutes:\n  - {{ name: r, models: [m], backend: p }}\n")
    }

    #[test]
    fn preset_supplies_the_endpoint_unless_one_is_given() {
        let c = from_yaml(
            &yaml("{ name: p, schema: OpenAI, preset: groq, auth: { kind: bearer, key_env: GROQ_API_KEY } }"),
            Path::new("/"),
        )
        .unwrap();
        assert_eq!(
            c.backends[0].endpoint_url(),
            "https://api.groq.com/openai/v1"
        );
        let opts = GenerateOptions {
            modules_dir: Path::new("/m"),
            access_log: Path::new("/l"),
        };
        let text = generate(&c, &opts).unwrap().to_string();
        assert!(text.contains(r#"\"path_prefix\":\"/openai/v1\""#), "{text}");
        assert!(text.contains(r#""address":"api.groq.com""#), "{text}");

        let c = from_yaml(
            &yaml("{ name: p, schema: OpenAI, preset: ollama, endpoint: 'http://gpu-box:11434/v1', auth: { kind: bearer, key_env: K } }"),
            Path::new("/"),
        )
        .unwrap();
        assert_eq!(c.backends[0].endpoint_url(), "http://gpu-box:11434/v1");
    }

    #[test]
    fn preset_needs_schema_openai_and_bearer() {
        let problems = from_yaml(
            &yaml("{ name: p, schema: Anthropic, preset: mistral, auth: { kind: anthropic_api_key, key_env: K } }"),
            Path::new("/"),
        )
        .unwrap_err();
        assert!(
            problems.iter().any(|p| p.starts_with(
                "backends[0].preset: presets are OpenAI-compatible providers; schema must be OpenAI, got Anthropic"
            )),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p
                .starts_with("backends[0].auth.kind: preset providers authenticate with bearer")),
            "{problems:?}"
        );
        let problems = from_yaml(
            &yaml("{ name: p, schema: OpenAI, preset: bogus, auth: { kind: bearer, key_env: K } }"),
            Path::new("/"),
        )
        .unwrap_err();
        assert!(problems[0].contains("preset"), "{problems:?}");
    }

    #[test]
    fn every_base_url_parses_with_its_prefix() {
        let all = [
            (Preset::Mistral, "api.mistral.ai", "/v1"),
            (Preset::Groq, "api.groq.com", "/openai/v1"),
            (Preset::Deepseek, "api.deepseek.com", "/v1"),
            (Preset::Together, "api.together.ai", "/v1"),
            (Preset::Fireworks, "api.fireworks.ai", "/inference/v1"),
            (Preset::Xai, "api.x.ai", "/v1"),
            (Preset::Openrouter, "openrouter.ai", "/api/v1"),
            (Preset::Ollama, "127.0.0.1", "/v1"),
            (Preset::Vllm, "127.0.0.1", "/v1"),
        ];
        for (preset, host, prefix) in all {
            let e = endpoint::parse(preset.base_url()).unwrap();
            assert_eq!((e.host.as_str(), e.path_prefix.as_str()), (host, prefix));
            let local = matches!(preset, Preset::Ollama | Preset::Vllm);
            assert_eq!(e.tls, !local, "{preset:?}");
        }
    }
}
