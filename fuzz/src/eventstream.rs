//! The AWS event-stream decoder (Bedrock ConverseStream answers).

use crate::Chunks;
use aigw_core::bedrock::eventstream::{
    DEFAULT_MAX_FRAME_BYTES, DecodeError, Decoder, Frame, decode_all, encode_frame,
};

/// Decodes the input whole and cut into chunks, with a frame-size limit taken from the first
/// byte: both must give the same frames and the same outcome; every decoded frame must
/// re-encode to bytes that decode to the same frame.
pub fn aws_eventstream(input: &[u8]) {
    let [limit_byte, seed, data @ ..] = input else {
        return;
    };
    let max_frame = 16 + 64 * usize::from(*limit_byte);
    let whole = decode_all(data, max_frame);
    let chunked = decode_chunked(max_frame, Chunks::new(*seed, data));
    assert_eq!(
        (&whole.frames, &whole.error),
        (&chunked.0, &chunked.1),
        "chunked decode differs from whole decode"
    );
    for frame in &whole.frames {
        let mut bytes = Vec::new();
        encode_frame(frame, &mut bytes);
        let again = decode_all(&bytes, bytes.len().max(DEFAULT_MAX_FRAME_BYTES));
        assert_eq!(
            again.error, None,
            "a decoded frame does not re-encode cleanly"
        );
        assert_eq!(again.frames.as_slice(), std::slice::from_ref(frame));
    }
}

fn decode_chunked<'a>(
    max_frame: usize,
    chunks: impl Iterator<Item = &'a [u8]>,
) -> (Vec<Frame>, Option<DecodeError>) {
    let mut decoder = Decoder::new(max_frame);
    let mut frames = Vec::new();
    for chunk in chunks {
        if let Err(e) = decoder.feed(chunk, |f| frames.push(f)) {
            return (frames, Some(e));
        }
    }
    (frames, decoder.finish().err())
}
