use super::*;

fn key(byte: u8) -> SessionKey {
    SessionKey::from_bytes(&[byte; 32]).unwrap()
}

fn session() -> Session {
    Session {
        version: "2025-06-18".into(),
        backends: vec![
            BackendSession {
                server: "weather".into(),
                session_id: Some("abc-123".into()),
                version: "2025-06-18".into(),
            },
            BackendSession {
                server: "stateless".into(),
                session_id: None,
                version: "2025-11-25".into(),
            },
        ],
        client_capabilities: serde_json::json!({"sampling": {}})
            .as_object()
            .unwrap()
            .clone(),
    }
}

#[test]
fn round_trips_and_is_opaque() {
    let id = session().seal(&key(1)).unwrap();
    assert!(
        id.bytes().all(|b| (0x21..=0x7e).contains(&b)),
        "visible ASCII: {id}"
    );
    assert!(!id.contains("abc-123") && !id.contains("weather"));
    assert_eq!(Session::open(&id, &[key(1)]).unwrap(), session());
}

#[test]
fn every_seal_uses_a_fresh_nonce() {
    assert_ne!(
        session().seal(&key(1)).unwrap(),
        session().seal(&key(1)).unwrap()
    );
}

#[test]
fn tampering_is_detected() {
    let id = session().seal(&key(1)).unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(&id).unwrap();
    for index in [0, NONCE_LEN, bytes.len() - 1] {
        bytes[index] ^= 1;
        let tampered = URL_SAFE_NO_PAD.encode(&bytes);
        assert_eq!(
            Session::open(&tampered, &[key(1)]),
            Err(SessionError::Unauthentic)
        );
        bytes[index] ^= 1;
    }
}

#[test]
fn a_foreign_key_is_refused_and_fallback_keys_are_tried() {
    let id = session().seal(&key(1)).unwrap();
    assert_eq!(
        Session::open(&id, &[key(2)]),
        Err(SessionError::Unauthentic)
    );
    assert_eq!(Session::open(&id, &[key(2), key(1)]).unwrap(), session());
}

#[test]
fn garbage_is_malformed() {
    for text in ["", "not base64!", "c2hvcnQ"] {
        assert_eq!(
            Session::open(text, &[key(1)]),
            Err(SessionError::Malformed),
            "{text}"
        );
    }
}

#[test]
fn keys_come_from_base64_of_32_bytes() {
    assert!(SessionKey::from_base64(&STANDARD.encode([7u8; 32])).is_ok());
    assert_eq!(
        SessionKey::from_base64(&STANDARD.encode([7u8; 16])).unwrap_err(),
        "must be 32 bytes, got 16"
    );
    assert_eq!(
        SessionKey::from_base64("%%").unwrap_err(),
        "is not valid base64"
    );
    assert_eq!(format!("{:?}", key(3)), "SessionKey(..)");
}
