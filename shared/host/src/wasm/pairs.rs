//! The proxy-wasm header-map wire format: a little-endian `u32` count, then a
//! (`u32` name length, `u32` value length) pair per entry, then each name and value
//! followed by a NUL byte. Decoding is bounds-checked: host data never panics the VM.

/// Serializes header pairs for the host.
pub fn encode(pairs: &[(&str, &str)]) -> Vec<u8> {
    let size = 4 + pairs
        .iter()
        .map(|(name, value)| 10 + name.len() + value.len())
        .sum::<usize>();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&(pairs.len() as u32).to_le_bytes());
    for (name, value) in pairs {
        out.extend_from_slice(&(name.len() as u32).to_le_bytes());
        out.extend_from_slice(&(value.len() as u32).to_le_bytes());
    }
    for (name, value) in pairs {
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        out.extend_from_slice(value.as_bytes());
        out.push(0);
    }
    out
}

/// Parses header pairs from the host; `None` when the data is malformed. Invalid UTF-8
/// is replaced rather than rejected (header values may carry arbitrary octets).
pub fn decode(bytes: &[u8]) -> Option<Vec<(String, String)>> {
    if bytes.is_empty() {
        return Some(Vec::new());
    }
    let count = read_u32(bytes, 0)? as usize;
    let mut lengths_at = 4usize;
    let mut data_at = count.checked_mul(8)?.checked_add(4)?;
    if data_at > bytes.len() {
        return None;
    }
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let name_len = read_u32(bytes, lengths_at)? as usize;
        let value_len = read_u32(bytes, lengths_at + 4)? as usize;
        lengths_at += 8;
        let name = take(bytes, &mut data_at, name_len)?;
        let value = take(bytes, &mut data_at, value_len)?;
        out.push((
            String::from_utf8_lossy(name).into_owned(),
            String::from_utf8_lossy(value).into_owned(),
        ));
    }
    Some(out)
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let raw = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(raw.try_into().ok()?))
}

/// Takes `len` bytes at `*at` and skips the NUL terminator after them.
fn take<'a>(bytes: &'a [u8], at: &mut usize, len: usize) -> Option<&'a [u8]> {
    let end = at.checked_add(len)?;
    let field = bytes.get(*at..end)?;
    *at = end.checked_add(1)?;
    Some(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_pairs() {
        let pairs = [
            (":status", "200"),
            ("x-empty", ""),
            ("content-type", "text/plain"),
        ];
        let decoded = decode(&encode(&pairs)).expect("well-formed");
        let expected: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        assert_eq!(decoded, expected);
    }

    #[test]
    fn empty_input_is_an_empty_map() {
        assert_eq!(decode(&[]), Some(Vec::new()));
        assert_eq!(decode(&encode(&[])), Some(Vec::new()));
    }

    #[test]
    fn invalid_utf8_is_replaced_not_rejected() {
        let mut bytes = encode(&[("x-bin", "ab")]);
        let at = bytes.len() - 3;
        bytes[at] = 0xff;
        let decoded = decode(&bytes).expect("well-formed");
        assert_eq!(decoded[0].1, "\u{fffd}b");
    }

    #[test]
    fn malformed_input_is_refused_without_panicking() {
        let good = encode(&[("name", "value")]);
        for cut in 1..good.len() - 1 {
            assert_eq!(decode(&good[..cut]), None, "cut at {cut}");
        }
        // A count far beyond the data.
        assert_eq!(decode(&u32::MAX.to_le_bytes()), None);
        // A length pointing past the end.
        let mut long = good.clone();
        long[4..8].copy_from_slice(&1000u32.to_le_bytes());
        assert_eq!(decode(&long), None);
    }
}
