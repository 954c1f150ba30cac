use super::validate::{images, responses, speech};
use super::{Endpoint, classify, multipart};
use crate::route::Flavor;
use hyper::Method;

#[test]
fn classifies_openai_and_azure_paths() {
    let (e, f) = classify(&Method::POST, "/v1/responses", None)
        .unwrap()
        .unwrap();
    assert_eq!((e, f), (Endpoint::Responses, Flavor::OpenAi));
    let (e, _) = classify(&Method::POST, "/openai/v1/responses", None)
        .unwrap()
        .unwrap();
    assert_eq!(e, Endpoint::Responses);
    let found = classify(
        &Method::POST,
        "/openai/deployments/dalle/images/generations",
        Some("api-version=2024-10-21"),
    );
    let (e, f) = found.unwrap().unwrap();
    assert_eq!(e, Endpoint::Images);
    assert_eq!(
        f,
        Flavor::Azure {
            deployment: "dalle".into()
        }
    );
    let missing = classify(&Method::POST, "/openai/deployments/w/audio/speech", None);
    assert_eq!(missing.unwrap().unwrap_err().status, 400);
    assert_eq!(
        classify(&Method::GET, "/v1/responses", None)
            .unwrap()
            .unwrap_err()
            .status,
        405
    );
    assert!(classify(&Method::POST, "/v1/chat/completions", None).is_none());
    assert!(
        classify(
            &Method::POST,
            "/openai/deployments/d/responses",
            Some("api-version=2024-10-21")
        )
        .is_none()
    );
}

#[test]
fn refuses_what_openai_refuses() {
    assert!(responses(br#"{"model":"m","input":"hi"}"#).is_ok());
    for bad in [
        &br#"{"input":"hi"}"#[..],
        br#"{"model":"m"}"#,
        br#"{"model":"m","input":[]}"#,
        br#"{"model":"m","input":"x","max_output_tokens":3}"#,
        br#"{"model":"m","input":"x","messages":[]}"#,
        br#"{"model":"m","input":"x","stream_options":{}}"#,
    ] {
        assert!(responses(bad).is_err(), "{}", String::from_utf8_lossy(bad));
    }
    assert!(
        images(
            br#"{"model":"m","prompt":"cat","n":2,"size":"1024x1024"}"#,
            None
        )
        .is_ok()
    );
    assert!(images(br#"{"model":"m","prompt":"cat","n":11}"#, None).is_err());
    assert!(images(br#"{"model":"m","prompt":"cat","size":"7x7"}"#, None).is_err());
    assert!(images(br#"{"prompt":"cat"}"#, Some("dalle")).is_ok());
    assert!(speech(br#"{"model":"tts","input":"hi","voice":"alloy"}"#, None).is_ok());
    assert!(speech(br#"{"model":"tts","input":"hi"}"#, None).is_err());
    assert!(
        speech(
            br#"{"model":"tts","input":"hi","voice":"a","speed":9}"#,
            None
        )
        .is_err()
    );
}

#[tokio::test]
async fn multipart_needs_file_and_model() {
    let ct = "multipart/form-data; boundary=B";
    let form = |parts: &str| parts.replace('\n', "\r\n").into_bytes();
    let ok = form(
        "--B\nContent-Disposition: form-data; name=\"model\"\n\nwhisper-1\n--B\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\n\nRIFF1234\n--B--\n",
    );
    let u = multipart::parse(ct, &ok, None).await.unwrap();
    assert_eq!(
        (u.model.as_str(), u.filename.as_str(), u.size),
        ("whisper-1", "a.wav", 8)
    );
    let no_file = form("--B\nContent-Disposition: form-data; name=\"model\"\n\nw\n--B--\n");
    assert!(multipart::parse(ct, &no_file, None).await.is_err());
    let unknown = form("--B\nContent-Disposition: form-data; name=\"colour\"\n\nred\n--B--\n");
    assert!(multipart::parse(ct, &unknown, None).await.is_err());
    assert!(
        multipart::parse("application/json", b"{}", None)
            .await
            .is_err()
    );
}
