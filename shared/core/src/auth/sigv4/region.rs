//! The AWS region named by a regional endpoint host.

/// The region of a `bedrock-runtime.<region>.amazonaws.com` (or any
/// `<service>.<region>.amazonaws.com[.cn]`) host, port ignored; `None` for other hosts.
pub fn region_from_host(host: &str) -> Option<&str> {
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let rest = host
        .strip_suffix(".amazonaws.com")
        .or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    let (_, region) = rest.rsplit_once('.')?;
    let valid = !region.is_empty()
        && region.contains('-')
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    valid.then_some(region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_regional_hosts() {
        assert_eq!(
            region_from_host("bedrock-runtime.us-east-1.amazonaws.com"),
            Some("us-east-1")
        );
        assert_eq!(
            region_from_host("bedrock-runtime.eu-central-1.amazonaws.com:443"),
            Some("eu-central-1")
        );
        assert_eq!(
            region_from_host("bedrock-runtime.cn-north-1.amazonaws.com.cn"),
            Some("cn-north-1")
        );
        assert_eq!(region_from_host("amazonaws.com"), None);
        assert_eq!(region_from_host("api.openai.com"), None);
        assert_eq!(region_from_host("127.0.0.1:8080"), None);
        assert_eq!(region_from_host("bedrock.amazonaws.com"), None);
    }
}
