//! Parsing a backend `endpoint`: `scheme://host[:port][/path-prefix]`.

use url::{Host, Url};

/// A parsed backend endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `https`: connect with TLS (SNI and certificate checks against the host name).
    pub tls: bool,
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// Whether `host` is an IP address (no DNS needed).
    pub is_ip: bool,
    /// Port (scheme default when absent).
    pub port: u16,
    /// Path prefix without trailing slash (`/v1`), or empty.
    pub path_prefix: String,
}

impl Endpoint {
    /// The `host` header a provider expects: the host, with the port when it is not the
    /// scheme's default (IPv6 in brackets).
    pub fn authority(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let default_port = if self.tls { 443 } else { 80 };
        if self.port == default_port {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

/// Parses an endpoint URL; the error says what is wrong with it.
pub fn parse(s: &str) -> Result<Endpoint, String> {
    let url = Url::parse(s).map_err(|e| format!("invalid URL {s:?}: {e}"))?;
    let tls = match url.scheme() {
        "https" => true,
        "http" => false,
        other => return Err(format!("scheme must be http or https, got {other:?}")),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain credentials; use auth instead".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("must not have a query or fragment: {s:?}"));
    }
    let (host, is_ip) = match url.host() {
        Some(Host::Domain(d)) => (d.to_string(), false),
        Some(Host::Ipv4(ip)) => (ip.to_string(), true),
        Some(Host::Ipv6(ip)) => (ip.to_string(), true),
        None => return Err(format!("missing host in {s:?}")),
    };
    let port = url
        .port_or_known_default()
        .ok_or_else(|| format!("missing port in {s:?}"))?;
    let path_prefix = url.path().trim_end_matches('/').to_string();
    Ok(Endpoint {
        tls,
        host,
        is_ip,
        port,
        path_prefix,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authority_omits_default_ports() {
        let authority = |s: &str| parse(s).unwrap().authority();
        assert_eq!(authority("https://api.openai.com/v1"), "api.openai.com");
        assert_eq!(authority("http://127.0.0.1:8080"), "127.0.0.1:8080");
        assert_eq!(authority("https://h.example:8443"), "h.example:8443");
        assert_eq!(authority("http://[::1]:9000/x"), "[::1]:9000");
    }

    #[test]
    fn https_with_prefix() {
        let e = parse("https://api.openai.com/v1/").unwrap();
        assert_eq!(
            e,
            Endpoint {
                tls: true,
                host: "api.openai.com".into(),
                is_ip: false,
                port: 443,
                path_prefix: "/v1".into()
            }
        );
    }

    #[test]
    fn http_ip_without_path() {
        let e = parse("http://127.0.0.1:8080").unwrap();
        assert!(!e.tls && e.is_ip);
        assert_eq!((e.port, e.path_prefix.as_str()), (8080, ""));
        assert_eq!(parse("http://[::1]:9/").unwrap().host, "::1");
    }

    #[test]
    fn rejects_bad_endpoints() {
        for (s, want) in [
            ("api.openai.com", "invalid URL"),
            ("ftp://h/", "scheme must be http or https"),
            ("https://u:p@h/", "credentials"),
            ("https://h/v1?x=1", "query"),
        ] {
            let e = parse(s).unwrap_err();
            assert!(e.contains(want), "{s}: {e}");
        }
    }
}
