//! The methods the gateway routes to one backend by a client-facing name in their params:
//! which name, in which list's naming, and how it is put back as the backend's own.

use super::lists::ListKind;
use serde_json::{Map, Value};

/// A method routed to one backend by the name in its params.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoutedKind {
    /// `tools/call` by `params.name`
    ToolsCall,
    /// `prompts/get` by `params.name`
    PromptsGet,
    /// `resources/read` by `params.uri`
    ResourcesRead,
    /// `resources/subscribe` by `params.uri`
    ResourcesSubscribe,
    /// `resources/unsubscribe` by `params.uri`
    ResourcesUnsubscribe,
    /// `completion/complete` by `params.ref`: a prompt's `name` (`ref/prompt`) or a
    /// resource template's `uri` (`ref/resource`)
    Complete,
}

/// Where a routed request's client-facing name is, and in which list's naming.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameSlot {
    /// The list whose names the request takes (its separator and noun).
    pub list: ListKind,
    /// Whether the name sits in `params.ref` rather than in `params`.
    in_ref: bool,
    /// The field holding the name.
    pub field: &'static str,
}

impl RoutedKind {
    /// The kind for a method name.
    pub fn from_method(method: &str) -> Option<Self> {
        Some(match method {
            "tools/call" => Self::ToolsCall,
            "prompts/get" => Self::PromptsGet,
            "resources/read" => Self::ResourcesRead,
            "resources/subscribe" => Self::ResourcesSubscribe,
            "resources/unsubscribe" => Self::ResourcesUnsubscribe,
            "completion/complete" => Self::Complete,
            _ => return None,
        })
    }

    /// The method name.
    pub fn method(self) -> &'static str {
        match self {
            Self::ToolsCall => "tools/call",
            Self::PromptsGet => "prompts/get",
            Self::ResourcesRead => "resources/read",
            Self::ResourcesSubscribe => "resources/subscribe",
            Self::ResourcesUnsubscribe => "resources/unsubscribe",
            Self::Complete => "completion/complete",
        }
    }

    /// The params field that the `Mcp-Name` header of the stateless revision repeats, for
    /// the methods that carry that header.
    pub fn header_param(self) -> Option<&'static str> {
        match self {
            Self::ToolsCall | Self::PromptsGet => Some("name"),
            Self::ResourcesRead => Some("uri"),
            Self::ResourcesSubscribe | Self::ResourcesUnsubscribe | Self::Complete => None,
        }
    }

    /// Whether the method only makes sense with a server-to-client stream (the updates of
    /// a subscription arrive there).
    pub fn needs_server_stream(self) -> bool {
        matches!(self, Self::ResourcesSubscribe | Self::ResourcesUnsubscribe)
    }

    /// Where the name of a request with `params` is; an error naming the field when the
    /// params do not say.
    pub fn slot(self, params: &Map<String, Value>) -> Result<NameSlot, String> {
        let plain = |list: ListKind| NameSlot {
            list,
            in_ref: false,
            field: list.name_field(),
        };
        Ok(match self {
            Self::ToolsCall => plain(ListKind::Tools),
            Self::PromptsGet => plain(ListKind::Prompts),
            Self::ResourcesRead | Self::ResourcesSubscribe | Self::ResourcesUnsubscribe => {
                plain(ListKind::Resources)
            }
            Self::Complete => {
                let kind = params.get("ref").and_then(|r| r.get("type"));
                let (list, field) = match kind.and_then(Value::as_str) {
                    Some("ref/prompt") => (ListKind::Prompts, "name"),
                    Some("ref/resource") => (ListKind::ResourceTemplates, "uri"),
                    _ => return Err("params.ref.type must be ref/prompt or ref/resource".into()),
                };
                NameSlot {
                    list,
                    in_ref: true,
                    field,
                }
            }
        })
    }
}

impl NameSlot {
    /// The field's path in the params, for error messages (`params.ref.name`).
    pub fn path(self) -> String {
        match self.in_ref {
            true => format!("params.ref.{}", self.field),
            false => format!("params.{}", self.field),
        }
    }

    /// The client-facing name in `params`, when it is a string.
    pub fn name(self, params: &Map<String, Value>) -> Option<&str> {
        let holder = match self.in_ref {
            true => params.get("ref")?.as_object()?,
            false => params,
        };
        holder.get(self.field)?.as_str()
    }

    /// Puts `own` (the backend's own name) in the field.
    pub fn set_name(self, params: &mut Map<String, Value>, own: String) {
        let holder = match self.in_ref {
            true => params.get_mut("ref").and_then(Value::as_object_mut),
            false => Some(params),
        };
        if let Some(holder) = holder {
            holder.insert(self.field.to_string(), Value::String(own));
        }
    }

    /// What the name names, for error messages.
    pub fn noun(self) -> &'static str {
        match self.list {
            ListKind::Tools => "tool",
            ListKind::Prompts => "prompt",
            ListKind::Resources => "resource",
            ListKind::ResourceTemplates => "resource template",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn methods_round_trip() {
        for kind in [
            RoutedKind::ToolsCall,
            RoutedKind::PromptsGet,
            RoutedKind::ResourcesRead,
            RoutedKind::ResourcesSubscribe,
            RoutedKind::ResourcesUnsubscribe,
            RoutedKind::Complete,
        ] {
            assert_eq!(RoutedKind::from_method(kind.method()), Some(kind));
        }
        assert_eq!(RoutedKind::from_method("tools/list"), None);
        assert_eq!(RoutedKind::ResourcesRead.header_param(), Some("uri"));
        assert_eq!(RoutedKind::Complete.header_param(), None);
    }

    #[test]
    fn plain_names_are_read_and_replaced() {
        let mut p = params(json!({"uri": "fs+file:///a", "other": 1}));
        let slot = RoutedKind::ResourcesSubscribe.slot(&p).unwrap();
        assert_eq!(slot.list, ListKind::Resources);
        assert_eq!(slot.name(&p), Some("fs+file:///a"));
        assert_eq!(slot.path(), "params.uri");
        slot.set_name(&mut p, "file:///a".into());
        assert_eq!(Value::Object(p), json!({"uri": "file:///a", "other": 1}));
    }

    #[test]
    fn completion_names_sit_in_the_ref() {
        let mut p = params(json!({
            "ref": {"type": "ref/prompt", "name": "calc__greet"},
            "argument": {"name": "who", "value": "A"}
        }));
        let slot = RoutedKind::Complete.slot(&p).unwrap();
        assert_eq!((slot.list, slot.noun()), (ListKind::Prompts, "prompt"));
        assert_eq!(slot.name(&p), Some("calc__greet"));
        assert_eq!(slot.path(), "params.ref.name");
        slot.set_name(&mut p, "greet".into());
        assert_eq!(p["ref"], json!({"type": "ref/prompt", "name": "greet"}));

        let p = params(json!({"ref": {"type": "ref/resource", "uri": "fs+file:///{path}"}}));
        let slot = RoutedKind::Complete.slot(&p).unwrap();
        assert_eq!(slot.list, ListKind::ResourceTemplates);
        assert_eq!(slot.name(&p), Some("fs+file:///{path}"));
    }

    #[test]
    fn a_completion_without_a_known_ref_type_is_refused() {
        for p in [json!({}), json!({"ref": {"type": "ref/tool", "name": "x"}})] {
            let err = RoutedKind::Complete.slot(&params(p)).unwrap_err();
            assert!(err.contains("params.ref.type"), "{err}");
        }
        let p = params(json!({"ref": {"type": "ref/prompt", "name": 3}}));
        let slot = RoutedKind::Complete.slot(&p).unwrap();
        assert_eq!(slot.name(&p), None);
    }
}
