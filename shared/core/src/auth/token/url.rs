//! A token endpoint URL split into what an HTTP callout needs.

/// `scheme://host[:port]/path` of a token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenUrl {
    /// The URL as given (a JWT audience uses it).
    pub url: String,
    /// `host[:port]` sent as `:authority`.
    pub authority: String,
    /// Path and query sent as `:path`.
    pub path: String,
}

impl TokenUrl {
    /// Parses an `http://` or `https://` URL with a host.
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(|| format!("{url:?} must start with https:// or http://"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.is_empty() || authority.contains(['@', ' ']) {
            return Err(format!("{url:?} has no valid host"));
        }
        Ok(Self {
            url: url.to_string(),
            authority: authority.to_string(),
            path: path.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_authority_and_path() {
        let u = TokenUrl::parse("https://login.microsoftonline.com/t1/oauth2/v2.0/token").unwrap();
        assert_eq!(u.authority, "login.microsoftonline.com");
        assert_eq!(u.path, "/t1/oauth2/v2.0/token");
        let u = TokenUrl::parse("http://127.0.0.1:9000").unwrap();
        assert_eq!(
            (u.authority.as_str(), u.path.as_str()),
            ("127.0.0.1:9000", "/")
        );
        assert!(TokenUrl::parse("ftp://x/y").is_err());
        assert!(TokenUrl::parse("https:///y").is_err());
    }
}
