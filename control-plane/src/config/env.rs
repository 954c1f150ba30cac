//! `${VAR}` and `${VAR:-default}` substitution in config string values (`$$` is a literal `$`).

/// Substitutes every reference in `value`; the error names the variable at fault.
pub fn substitute(value: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body.find('}').ok_or_else(|| {
                format!("unterminated variable reference in {value:?}: missing '}}'")
            })?;
            let (name, default) = match body[..end].split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (&body[..end], None),
            };
            if !is_name(name) {
                return Err(format!(
                    "${{{}}}: {name:?} is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)",
                    &body[..end]
                ));
            }
            // With a default, an empty variable counts as unset (as in the shell's `:-`).
            let value = lookup(name).filter(|v| !v.is_empty() || default.is_none());
            match (value, default) {
                (Some(v), _) => out.push_str(&v),
                (None, Some(default)) => out.push_str(default),
                (None, None) => {
                    return Err(format!(
                        "environment variable {name} is not set (write ${{{name}:-default}} to give a default)"
                    ));
                }
            }
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::substitute;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOST" => Some("api.example.test".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn replaces_references_and_defaults() {
        let s = |v| substitute(v, &env);
        assert_eq!(
            s("https://${HOST}/v1").unwrap(),
            "https://api.example.test/v1"
        );
        assert_eq!(s("${MISSING:-fallback}").unwrap(), "fallback");
        assert_eq!(s("${HOST:-unused}").unwrap(), "api.example.test");
        assert_eq!(
            s("${EMPTY:-dflt}").unwrap(),
            "dflt",
            "empty counts as unset with a default"
        );
        assert_eq!(s("${EMPTY}").unwrap(), "");
        assert_eq!(s("${MISSING:-}").unwrap(), "");
        assert_eq!(s("cost $$5 and $x").unwrap(), "cost $5 and $x");
        assert_eq!(s("plain").unwrap(), "plain");
    }

    #[test]
    fn errors_name_the_variable() {
        let s = |v| substitute(v, &env).unwrap_err();
        assert_eq!(
            s("${MISSING}"),
            "environment variable MISSING is not set (write ${MISSING:-default} to give a default)"
        );
        assert_eq!(
            s("${HOST"),
            "unterminated variable reference in \"${HOST\": missing '}'"
        );
        assert_eq!(
            s("${1X}"),
            "${1X}: \"1X\" is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)"
        );
    }
}
