//! Client authorization in the filter: the protected-resource metadata endpoint, the
//! bearer-token check with its 401 challenge (holding the request while the issuer's keys
//! are fetched, see `jwks.rs`), and the per-request rule check.

use crate::config::{Authorization, Keys, Router};
use crate::jwks::{JwksSource, KeyWait};
use crate::respond;
use crate::telemetry::Operation;
use aigw_core::mcp::authz::challenge::ProtectedResource;
use aigw_core::mcp::authz::jwks::{KeyLookup, Refetch};
use aigw_core::mcp::authz::rules::{Decision, RequestFacts};
use aigw_core::mcp::authz::token::{KeySet, TokenError, bearer, scopes};
use aigw_core::metrics::ERROR_TYPE_DENIED;
use aigw_host::{CalloutResult, Host, LogLevel};
use serde_json::{Map, Value};

/// JSON-RPC error code of a request the authorization rules deny (server-defined range).
pub const ACCESS_DENIED: i64 = -32001;

/// An authenticated client: its token's claims and scopes.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's claims.
    pub claims: Map<String, Value>,
    /// The scopes the token grants.
    pub scopes: Vec<String>,
}

/// Answers a request for the protected-resource metadata; `false` when `path` is not the
/// metadata path (or authorization is off).
pub fn metadata(host: &mut dyn Host, router: &Router, path: &str) -> bool {
    let Some(authz) = &router.authz else {
        return false;
    };
    if !authz.resource.is_metadata_path(path) {
        return false;
    }
    if host.request_header(":method").as_deref() == Some("GET") {
        let body = authz.resource.document();
        host.send_local_reply(
            200,
            &[("content-type", "application/json")],
            body.as_bytes(),
        );
    } else {
        respond::http_error(
            host,
            None,
            405,
            &[("allow", "GET")],
            "metadata is read with GET",
        );
    }
    true
}

/// What became of a request's authentication.
#[derive(Debug)]
pub enum Admission {
    /// The request goes on, with its caller (`None` when authorization is off).
    Admitted(Option<Caller>),
    /// The client was answered (401 challenge, or 503 when no keys can be had).
    Refused,
    /// The request waits for the issuer's keys ([`woken`] or [`keys_fetched`] go on).
    Held,
}

/// Authenticates this request: a request without a bearer token is challenged at once; a
/// token is verified against the configured keys, or the fetched ones (waiting for them
/// while none are cached, or while a token's unknown `kid` makes them be fetched again).
pub fn authenticate(host: &mut dyn Host, router: &Router, wait: &mut KeyWait) -> Admission {
    let Some(authz) = &router.authz else {
        return Admission::Admitted(None);
    };
    let header = host.request_header("authorization");
    if let Err(error) = bearer(header.as_deref()) {
        challenge(host, authz, &error);
        return Admission::Refused;
    }
    match &authz.keys {
        Keys::Inline(keys) => check(host, authz, None, wait, keys),
        Keys::Fetched(source) => {
            let (now, policy) = (host.now(), source.policy());
            let lookup = source.with_cell(|c| c.lookup(now, policy));
            act(host, authz, source, wait, lookup)
        }
    }
}

/// Another stream's fetch ended: a request waiting for it looks again (`None` when this
/// stream was not waiting).
pub fn woken(host: &mut dyn Host, router: &Router, wait: &mut KeyWait) -> Option<Admission> {
    let generation = wait.waiting.take()?;
    let (authz, source) = fetched_source(router)?;
    let (now, policy) = (host.now(), source.policy());
    let lookup = source.with_cell(|c| c.resume(generation, now, policy));
    Some(act(host, authz, source, wait, lookup))
}

/// This stream's fetch of the keys ended with `result`; a `held` request goes on with the
/// keys now known or gets the 503 (`None` when not held).
pub fn keys_fetched(
    host: &mut dyn Host,
    router: &Router,
    wait: &mut KeyWait,
    result: CalloutResult,
    held: bool,
) -> Option<Admission> {
    wait.fetch = None;
    let (authz, source) = fetched_source(router)?;
    let keys = source.fetched(host, result);
    if !held {
        return None;
    }
    // A stream that waited on its own refresh is decided here, not by the wake.
    wait.waiting = None;
    Some(match keys {
        Ok(keys) => check(host, authz, Some(source), wait, &keys),
        Err(_) => unavailable(host),
    })
}

/// The stream ended: a key fetch it started is given up, so a waiting stream takes over.
pub fn abandon(router: &Router, wait: &mut KeyWait) {
    if let Some((_, source)) = fetched_source(router) {
        source.abandon(wait);
    }
}

fn fetched_source(router: &Router) -> Option<(&Authorization, &JwksSource)> {
    let authz = router.authz.as_ref()?;
    match &authz.keys {
        Keys::Fetched(source) => Some((authz, source)),
        Keys::Inline(_) => None,
    }
}

/// Carries out a lookup of the fetched keys.
fn act(
    host: &mut dyn Host,
    authz: &Authorization,
    source: &JwksSource,
    wait: &mut KeyWait,
    lookup: KeyLookup,
) -> Admission {
    match lookup {
        KeyLookup::Use(keys) => check(host, authz, Some(source), wait, &keys),
        KeyLookup::UseAndRefresh(keys) => {
            // A refresh that cannot start was logged; the cached keys serve meanwhile.
            let _ = source.start_fetch(host, wait);
            check(host, authz, Some(source), wait, &keys)
        }
        KeyLookup::Fetch => match source.start_fetch(host, wait) {
            Ok(()) => Admission::Held,
            Err(_) => unavailable(host),
        },
        KeyLookup::Wait => hold(host, source, wait),
        KeyLookup::Failed(_) => unavailable(host),
    }
}

/// Verifies the request's token with `keys`; a token signed by a key the fetched set lacks
/// makes the keys be fetched again, at most once per interval.
fn check(
    host: &mut dyn Host,
    authz: &Authorization,
    source: Option<&JwksSource>,
    wait: &mut KeyWait,
    keys: &KeySet,
) -> Admission {
    let header = host.request_header("authorization");
    let verified = bearer(header.as_deref()).and_then(|t| authz.verifier.verify(keys, t));
    let error = match (verified, source) {
        (Ok(claims), _) => {
            return Admission::Admitted(Some(Caller {
                scopes: scopes(&claims),
                claims,
            }));
        }
        (Err(TokenError::UnknownKey), Some(source)) => {
            let (now, policy) = (host.now(), source.policy());
            match source.with_cell(|c| c.unknown_key(now, policy)) {
                Refetch::Fetch => match source.start_fetch(host, wait) {
                    Ok(()) => return Admission::Held,
                    Err(_) => TokenError::UnknownKey,
                },
                Refetch::Wait => return hold(host, source, wait),
                Refetch::No => TokenError::UnknownKey,
            }
        }
        (Err(error), _) => error,
    };
    challenge(host, authz, &error);
    Admission::Refused
}

/// Waits for the fetch another stream of this worker is making.
fn hold(host: &mut dyn Host, source: &JwksSource, wait: &mut KeyWait) -> Admission {
    let waker = host.waker();
    wait.waiting = Some(source.with_cell(|c| c.wait(waker)));
    Admission::Held
}

/// No keys can be had (the fetch failed; its cause was logged by the fetching stream):
/// 503, since the token was not found wrong and a 401 would send the client to
/// re-authorize for nothing.
fn unavailable(host: &mut dyn Host) -> Admission {
    let description = "the issuer's signing keys cannot be fetched now; retry later";
    let body = ProtectedResource::error_body("temporarily_unavailable", description);
    host.send_local_reply(
        503,
        &[("content-type", "application/json"), ("retry-after", "5")],
        body.as_bytes(),
    );
    Admission::Refused
}

fn challenge(host: &mut dyn Host, authz: &Authorization, error: &TokenError) {
    let description = error.to_string();
    let (www, body) = match error {
        // RFC 6750: no error code when the request carried no credentials.
        TokenError::Missing => (
            authz.resource.challenge(None),
            ProtectedResource::error_body("invalid_request", &description),
        ),
        _ => {
            host.log(
                LogLevel::Info,
                &format!("mcp-router: token refused: {description}"),
            );
            (
                authz
                    .resource
                    .challenge(Some(("invalid_token", &description))),
                ProtectedResource::error_body("invalid_token", &description),
            )
        }
    };
    host.send_local_reply(
        401,
        &[
            ("content-type", "application/json"),
            ("www-authenticate", &www),
        ],
        body.as_bytes(),
    );
}

/// What a request asks for, as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// JSON-RPC method.
    pub method: &'a str,
    /// Server a routed request goes to, else "".
    pub server: &'a str,
    /// Tool, prompt or resource (the server's own name), else "".
    pub tool: &'a str,
    /// The call's arguments, or null.
    pub arguments: Option<&'a Value>,
}

/// Whether the rules let `caller` do `target`; when not, `op` finished as `denied` and the
/// client was answered (JSON-RPC error `ACCESS_DENIED` for request `id`, HTTP 403 for a
/// notification) and nothing is forwarded. Always true when authorization is off.
pub fn permitted(
    host: &mut dyn Host,
    op: &Operation,
    router: &Router,
    caller: Option<&Caller>,
    id: Option<&Value>,
    target: Target<'_>,
) -> bool {
    let errors = match decide(router, caller, target) {
        None | Some(Decision::Allowed(_)) => return true,
        Some(Decision::Denied { errors }) => errors,
    };
    let mut line = format!(
        "mcp-router: denied {} server={:?} tool={:?}",
        target.method, target.server, target.tool
    );
    if !errors.is_empty() {
        line.push_str(&format!(" (rule errors: {})", errors.join("; ")));
    }
    host.log(LogLevel::Info, &line);
    let message = match target.tool {
        "" => format!("access denied: {} is not allowed", target.method),
        tool => format!(
            "access denied: {} of {tool} on server {} is not allowed",
            target.method, target.server
        ),
    };
    op.finish(host, Some(ERROR_TYPE_DENIED));
    match id {
        Some(id) => respond::rpc_error(host, None, 200, id, ACCESS_DENIED, &message),
        None => respond::rpc_error(host, None, 403, &Value::Null, ACCESS_DENIED, &message),
    }
    false
}

/// Whether `tools/list` shows `tool` (the server's own name) of `server` to `caller`: hidden
/// only when the rules, evaluated for `tools/call` of it with empty arguments, deny it without
/// an evaluation error (a rule that needs the call's arguments, or a claim the token lacks,
/// cannot be decided here, so the tool stays listed and the call is checked). Always true
/// when authorization is off.
pub fn lists_tool(router: &Router, caller: Option<&Caller>, server: &str, tool: &str) -> bool {
    let target = Target {
        method: "tools/call",
        server,
        tool,
        arguments: None,
    };
    match decide(router, caller, target) {
        None | Some(Decision::Allowed(_)) => true,
        Some(Decision::Denied { errors }) => !errors.is_empty(),
    }
}

/// The rules' decision on `target`, `None` when authorization is off.
fn decide(router: &Router, caller: Option<&Caller>, target: Target<'_>) -> Option<Decision> {
    let authz = router.authz.as_ref()?;
    let empty = Value::Object(Map::new());
    let no_claims = Map::new();
    let facts = RequestFacts {
        claims: caller.map_or(&no_claims, |c| &c.claims),
        scopes: caller.map_or(&[], |c| &c.scopes),
        method: target.method,
        server: target.server,
        tool: target.tool,
        arguments: target.arguments.filter(|a| a.is_object()).unwrap_or(&empty),
    };
    Some(authz.rules.decide(&facts))
}

#[cfg(test)]
#[path = "authorize_tests.rs"]
mod tests;
