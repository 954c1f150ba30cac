use super::*;

fn all_types() -> Frame {
    let h = |name: &str, value| Header {
        name: name.to_string(),
        value,
    };
    Frame {
        headers: vec![
            h("t", HeaderValue::Bool(true)),
            h("f", HeaderValue::Bool(false)),
            h("b", HeaderValue::Byte(-3)),
            h("s", HeaderValue::Short(-300)),
            h("i", HeaderValue::Int(70_000)),
            h("l", HeaderValue::Long(-5_000_000_000)),
            h("bytes", HeaderValue::Bytes(vec![0, 1, 2, 255])),
            h(":event-type", HeaderValue::String("chunk".into())),
            h("ts", HeaderValue::Timestamp(1_700_000_000_000)),
            h("u", HeaderValue::Uuid([7; 16])),
        ],
        payload: br#"{"a":1}"#.to_vec(),
    }
}

fn encoded(frames: &[Frame]) -> Vec<u8> {
    let mut out = Vec::new();
    for frame in frames {
        encode_frame(frame, &mut out);
    }
    out
}

#[test]
fn empty_frame_matches_the_published_vector() {
    // The "empty message" vector of AWS's event-stream test suite.
    let bytes = [
        0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x05, 0xc2, 0x48, 0xeb, 0x7d, 0x98, 0xc8,
        0xff,
    ];
    assert_eq!(encoded(&[Frame::default()]), bytes);
    let decoded = decode_all(&bytes, DEFAULT_MAX_FRAME_BYTES);
    assert_eq!(decoded.frames, vec![Frame::default()]);
    assert_eq!(decoded.error, None);
}

#[test]
fn every_header_type_round_trips() {
    let frame = all_types();
    let decoded = decode_all(&encoded(std::slice::from_ref(&frame)), 4096);
    assert_eq!(decoded.frames, vec![frame.clone()]);
    assert_eq!(frame.header_str(":event-type"), Some("chunk"));
    assert_eq!(frame.header_str("i"), None);
}

#[test]
fn any_split_gives_the_same_frames() {
    let frames = vec![
        all_types(),
        Frame::with_strings(&[(":message-type", "event")], b"x"),
        Frame::default(),
    ];
    let bytes = encoded(&frames);
    for at in 0..=bytes.len() {
        for at2 in at..=bytes.len() {
            let mut decoder = Decoder::new(4096);
            let mut got = Vec::new();
            for piece in [&bytes[..at], &bytes[at..at2], &bytes[at2..]] {
                decoder.feed(piece, |f| got.push(f)).unwrap();
            }
            decoder.finish().unwrap();
            assert_eq!(got, frames, "split at {at}/{at2}");
        }
    }
}

#[test]
fn corrupt_crcs_are_refused() {
    let mut bytes = encoded(&[all_types()]);
    bytes[9] ^= 1;
    assert!(matches!(
        decode_all(&bytes, 4096).error,
        Some(DecodeError::PreludeCrc { .. })
    ));
    let mut bytes = encoded(&[all_types()]);
    let last = bytes.len() - 6;
    bytes[last] ^= 0x40;
    let decoded = decode_all(&bytes, 4096);
    assert!(decoded.frames.is_empty());
    let error = decoded.error.unwrap();
    assert!(matches!(error, DecodeError::MessageCrc { .. }));
    assert!(
        error.to_string().contains("message CRC mismatch"),
        "{error}"
    );
}

#[test]
fn oversized_frame_is_refused_from_its_prelude() {
    let bytes = encoded(&[Frame::with_strings(&[], &[b'a'; 100])]);
    let mut decoder = Decoder::new(64);
    let error = decoder.feed(&bytes[..12], |_| {}).unwrap_err();
    assert_eq!(
        error,
        DecodeError::FrameTooLarge {
            length: 116,
            max: 64
        }
    );
    // The decoder stays failed.
    assert_eq!(decoder.feed(b"", |_| {}), Err(error.clone()));
    assert_eq!(decoder.finish(), Err(error));
}

fn prelude(total: u32, headers: u32) -> Vec<u8> {
    let mut out = total.to_be_bytes().to_vec();
    out.extend_from_slice(&headers.to_be_bytes());
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

#[test]
fn impossible_lengths_are_refused() {
    assert_eq!(
        decode_all(&prelude(15, 0), 4096).error,
        Some(DecodeError::FrameTooShort { length: 15 })
    );
    assert_eq!(
        decode_all(&prelude(20, 5), 4096).error,
        Some(DecodeError::HeadersTooLong {
            headers_length: 5,
            length: 20
        })
    );
}

/// A frame whose header bytes are `headers`, with correct CRCs.
fn raw_frame(headers: &[u8]) -> Vec<u8> {
    let mut out = prelude((16 + headers.len()) as u32, headers.len() as u32);
    out.extend_from_slice(headers);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

#[test]
fn malformed_headers_are_refused() {
    for (headers, why) in [
        (&b"\x01a\x0c"[..], "unknown type 12"),
        (&b"\x00"[..], "empty header name"),
        (&b"\x01a\x07\x00\x05ab"[..], "needs 5 bytes"),
        (&b"\x05ab"[..], "header name needs 5 bytes"),
        (&b"\x01a\x07\x00\x01\xff"[..], "not UTF-8"),
    ] {
        let error = decode_all(&raw_frame(headers), 4096).error.unwrap();
        assert!(
            matches!(error, DecodeError::BadHeader(_)) && error.to_string().contains(why),
            "{error}"
        );
    }
}

#[test]
fn a_stream_cut_inside_a_frame_is_truncated() {
    let bytes = encoded(&[Frame::default(), all_types()]);
    let decoded = decode_all(&bytes[..bytes.len() - 1], 4096);
    assert_eq!(decoded.frames, vec![Frame::default()]);
    assert_eq!(
        decoded.error,
        Some(DecodeError::Truncated {
            buffered: bytes.len() - 17
        })
    );
    assert_eq!(
        decode_all(&bytes[..3], 4096).error,
        Some(DecodeError::Truncated { buffered: 3 })
    );
}

#[test]
fn every_single_byte_corruption_is_detected() {
    let bytes = encoded(&[
        all_types(),
        Frame::with_strings(&[(":event-type", "metadata")], b"{}"),
    ]);
    for at in 0..bytes.len() {
        for flip in [0x01, 0x80, 0xff] {
            let mut corrupt = bytes.clone();
            corrupt[at] ^= flip;
            let decoded = decode_all(&corrupt, 4096);
            assert!(
                decoded.error.is_some(),
                "byte {at} ^ {flip:#x} went unnoticed"
            );
        }
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    // xorshift: deterministic pseudo-random inputs, some starting with a valid prelude.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..2000 {
        let len = (next() % 96) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if next() % 2 == 0 {
            let headers = (next() % 40) as u32;
            let mut head = prelude(16 + headers + (next() % 40) as u32, headers);
            head.extend_from_slice(&bytes);
            bytes = head;
        }
        let decoded = decode_all(&bytes, 256);
        assert!(decoded.error.is_some() || !decoded.frames.is_empty() || bytes.is_empty());
    }
}
