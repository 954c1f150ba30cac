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
