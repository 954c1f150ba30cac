//! Authorization of MCP clients (MCP authorization spec): bearer JWTs checked against a JWKS
//! (given in config, or fetched and cached, see [`jwks`]) with issuer and audience, the
//! OAuth protected-resource metadata and `WWW-Authenticate` challenges that tell clients where to get a token, and CEL rules deciding per request
//! (method, server, tool, arguments, claims, scopes) whether it may go on. Deny by default:
//! a request no rule allows is refused.

pub mod challenge;
pub mod jwks;
pub mod rules;
pub mod token;

#[cfg(test)]
mod tests;
