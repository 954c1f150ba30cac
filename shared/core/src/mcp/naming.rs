//! Names the client sees: `{server}{separator}{name}` for tools and prompts,
//! `{server}+{uri}` for resources and resource templates.

/// The separator between a server name and a resource URI.
pub const URI_SEPARATOR: &str = "+";

/// The client-facing name of a backend's tool or prompt.
pub fn prefixed(server: &str, separator: &str, name: &str) -> String {
    let mut out = String::with_capacity(server.len() + separator.len() + name.len());
    out.push_str(server);
    out.push_str(separator);
    out.push_str(name);
    out
}

/// Finds which server a client-facing name belongs to: the index in `servers` of the
/// longest server name followed by `separator` at the start of `name`, and the backend's own
/// name after it (non-empty). Matching against the known servers (rather than splitting at
/// the first separator) keeps names right when a server or tool name contains the separator.
pub fn route<'n, 's>(
    servers: impl IntoIterator<Item = &'s str>,
    separator: &str,
    name: &'n str,
) -> Option<(usize, &'n str)> {
    let mut best: Option<(usize, usize)> = None;
    for (index, server) in servers.into_iter().enumerate() {
        let rest = name
            .strip_prefix(server)
            .and_then(|rest| rest.strip_prefix(separator));
        if rest.is_some_and(|r| !r.is_empty()) && best.is_none_or(|(_, len)| server.len() > len) {
            best = Some((index, server.len()));
        }
    }
    best.map(|(index, len)| (index, &name[len + separator.len()..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_routes_back() {
        let servers = ["weather", "git"];
        let name = prefixed("git", "__", "log");
        assert_eq!(name, "git__log");
        assert_eq!(route(servers, "__", &name), Some((1, "log")));
        assert_eq!(
            route(servers, "__", "weather__get__now"),
            Some((0, "get__now"))
        );
    }

    #[test]
    fn unknown_or_empty_names_do_not_route() {
        let servers = ["weather"];
        assert_eq!(route(servers, "__", "other__x"), None);
        assert_eq!(route(servers, "__", "weather__"), None);
        assert_eq!(route(servers, "__", "weatherx"), None);
        assert_eq!(route(servers, "__", "weather"), None);
    }

    #[test]
    fn the_longest_server_name_wins() {
        let servers = ["a", "a__b"];
        assert_eq!(route(servers, "__", "a__b__tool"), Some((1, "tool")));
        assert_eq!(route(servers, "__", "a__c"), Some((0, "c")));
    }

    #[test]
    fn resource_uris_use_plus() {
        let uri = prefixed("docs", URI_SEPARATOR, "file:///readme.md");
        assert_eq!(uri, "docs+file:///readme.md");
        assert_eq!(
            route(["docs"], URI_SEPARATOR, &uri),
            Some((0, "file:///readme.md"))
        );
    }
}
