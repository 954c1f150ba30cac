//! Per-request authorization rules in CEL. A request may go on when at least one rule's
//! `allow` expression yields `true`; otherwise (no rule allows, or every rule failed to
//! evaluate) it is denied.
//!
//! Variables: `claims` (map, the token's claims), `scopes` (list of strings), `method`
//! (JSON-RPC method), `server` (MCP server a routed request goes to, else ""), `tool` (the
//! server's own tool or prompt name, or resource URI, else "") and `arguments` (map, the
//! `arguments` of `tools/call` / `prompts/get`, else {}).

use crate::cel_expr::{CelCompileError, compile, is_type_error};
use cel::{Context, Env, Program, Value as CelValue};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::fmt;
use std::sync::Arc;

/// Names a rule may use.
pub const VARIABLES: [&str; 6] = ["claims", "scopes", "method", "server", "tool", "arguments"];

/// One rule as configured.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// Name, shown in logs.
    pub name: String,
    /// CEL expression; the request is allowed when it yields `true`.
    pub allow: String,
}

/// What a rule is evaluated on.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts<'a> {
    /// The token's claims.
    pub claims: &'a Map<String, Value>,
    /// Scopes the token grants.
    pub scopes: &'a [String],
    /// JSON-RPC method.
    pub method: &'a str,
    /// Server of a routed request, else "".
    pub server: &'a str,
    /// Tool or prompt name (the server's own) or resource URI, else "".
    pub tool: &'a str,
    /// Arguments of the call, else an empty object.
    pub arguments: &'a Value,
}

/// The outcome for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The named rule allowed it.
    Allowed(String),
    /// No rule allowed it; `errors` lists rules that failed to evaluate (for the log).
    Denied {
        /// `<rule>: <error>` per rule whose evaluation failed.
        errors: Vec<String>,
    },
}

struct Rule {
    name: String,
    program: Program,
    env: Arc<Env>,
}

/// The compiled rules, in config order.
pub struct AccessRules {
    rules: Vec<Rule>,
}

impl fmt::Debug for AccessRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.rules.iter().map(|r| r.name.as_str()).collect();
        f.debug_struct("AccessRules")
            .field("rules", &names)
            .finish()
    }
}

impl AccessRules {
    /// Compiles `rules`; an error names the rule (`rules[i]`) and the CEL position. Each
    /// rule is tried on a sample request so that type errors are caught here.
    pub fn compile(rules: &[RuleConfig]) -> Result<Self, String> {
        let mut out = Vec::with_capacity(rules.len());
        for (i, r) in rules.iter().enumerate() {
            let at = format!("rules[{i}]");
            if r.name.is_empty() || rules[..i].iter().any(|o| o.name == r.name) {
                return Err(format!(
                    "{at}.name: {:?} must be non-empty and unique",
                    r.name
                ));
            }
            let (program, env) =
                compile(&r.allow, &VARIABLES).map_err(|e| format!("{at}.allow: {e}"))?;
            let rule = Rule {
                name: r.name.clone(),
                program,
                env,
            };
            let claims = Map::new();
            let sample = RequestFacts {
                claims: &claims,
                scopes: &[],
                method: "tools/call",
                server: "server",
                tool: "tool",
                arguments: &Value::Object(Map::new()),
            };
            match rule.evaluate(&sample) {
                Err(Failure::WrongType(t)) => {
                    let message = format!("expression yields a {t}; it must yield a bool");
                    return Err(format!("{at}.allow: {}", CelCompileError::whole(message)));
                }
                Err(Failure::Execution(e)) if is_type_error(&e) => {
                    let error = CelCompileError::whole(e.to_string());
                    return Err(format!("{at}.allow: {error}"));
                }
                _ => out.push(rule),
            }
        }
        Ok(Self { rules: out })
    }

    /// Whether any rule allows `facts` (none configured: denied).
    pub fn decide(&self, facts: &RequestFacts<'_>) -> Decision {
        let mut errors = Vec::new();
        for rule in &self.rules {
            match rule.evaluate(facts) {
                Ok(true) => return Decision::Allowed(rule.name.clone()),
                Ok(false) => {}
                Err(e) => errors.push(format!("{}: {e}", rule.name)),
            }
        }
        Decision::Denied { errors }
    }
}

enum Failure {
    Execution(cel::ExecutionError),
    WrongType(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Execution(e) => write!(f, "evaluation failed: {e}"),
            Self::WrongType(t) => write!(f, "yields a {t}, not a bool"),
        }
    }
}

impl Rule {
    fn evaluate(&self, facts: &RequestFacts<'_>) -> Result<bool, Failure> {
        let mut context = Context::with_env(Arc::clone(&self.env));
        let json = |v: &Value| cel::to_value(v).unwrap_or(CelValue::Null);
        context.add_variable_from_value("claims", json(&Value::Object(facts.claims.clone())));
        let scopes: Vec<CelValue> = facts
            .scopes
            .iter()
            .map(|s| CelValue::String(Arc::new(s.clone())))
            .collect();
        context.add_variable_from_value("scopes", CelValue::List(Arc::new(scopes)));
        for (name, text) in [
            ("method", facts.method),
            ("server", facts.server),
            ("tool", facts.tool),
        ] {
            context.add_variable_from_value(name, CelValue::String(Arc::new(text.to_string())));
        }
        context.add_variable_from_value("arguments", json(facts.arguments));
        match self.program.execute(&context) {
            Ok(CelValue::Bool(b)) => Ok(b),
            Ok(other) => Err(Failure::WrongType(other.type_of().to_string())),
            Err(e) => Err(Failure::Execution(e)),
        }
    }
}
