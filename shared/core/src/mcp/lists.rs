//! The list methods the gateway fans out and merges.

use super::naming::{URI_SEPARATOR, prefixed};
use serde_json::Value;

/// A list method whose results are merged across backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// `tools/list`
    Tools,
    /// `prompts/list`
    Prompts,
    /// `resources/list`
    Resources,
    /// `resources/templates/list`
    ResourceTemplates,
}

impl ListKind {
    /// The kind for a method name.
    pub fn from_method(method: &str) -> Option<Self> {
        Some(match method {
            "tools/list" => Self::Tools,
            "prompts/list" => Self::Prompts,
            "resources/list" => Self::Resources,
            "resources/templates/list" => Self::ResourceTemplates,
            _ => return None,
        })
    }

    /// The method name.
    pub fn method(self) -> &'static str {
        match self {
            Self::Tools => "tools/list",
            Self::Prompts => "prompts/list",
            Self::Resources => "resources/list",
            Self::ResourceTemplates => "resources/templates/list",
        }
    }

    /// The key of the item array in the result.
    pub fn result_key(self) -> &'static str {
        match self {
            Self::Tools => "tools",
            Self::Prompts => "prompts",
            Self::Resources => "resources",
            Self::ResourceTemplates => "resourceTemplates",
        }
    }

    /// The item field holding the name the client uses.
    pub fn name_field(self) -> &'static str {
        match self {
            Self::Tools | Self::Prompts => "name",
            Self::Resources => "uri",
            Self::ResourceTemplates => "uriTemplate",
        }
    }

    /// The server capability (in `initialize` results) that offers this list.
    pub fn capability(self) -> &'static str {
        match self {
            Self::Tools => "tools",
            Self::Prompts => "prompts",
            Self::Resources | Self::ResourceTemplates => "resources",
        }
    }

    /// Separator between server and name for this kind (`separator` is the configured one).
    pub fn separator(self, separator: &str) -> &str {
        match self {
            Self::Tools | Self::Prompts => separator,
            Self::Resources | Self::ResourceTemplates => URI_SEPARATOR,
        }
    }

    /// The backend's own name of an item (`None` when the item has no string name).
    pub fn item_name(self, item: &Value) -> Option<&str> {
        item.get(self.name_field()).and_then(Value::as_str)
    }

    /// Rewrites an item's name to the client-facing `{server}{separator}{name}`.
    pub fn rename(self, server: &str, separator: &str, item: &mut Value) {
        let field = self.name_field();
        if let Some(name) = item.get(field).and_then(Value::as_str) {
            let name = prefixed(server, self.separator(separator), name);
            item[field] = Value::String(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn methods_round_trip() {
        for kind in [
            ListKind::Tools,
            ListKind::Prompts,
            ListKind::Resources,
            ListKind::ResourceTemplates,
        ] {
            assert_eq!(ListKind::from_method(kind.method()), Some(kind));
        }
        assert_eq!(ListKind::from_method("tools/call"), None);
    }

    #[test]
    fn renames_by_kind() {
        let mut tool = json!({"name": "add", "inputSchema": {}});
        ListKind::Tools.rename("calc", "__", &mut tool);
        assert_eq!(tool["name"], "calc__add");
        let mut template = json!({"uriTemplate": "file:///{path}"});
        ListKind::ResourceTemplates.rename("fs", "__", &mut template);
        assert_eq!(template["uriTemplate"], "fs+file:///{path}");
    }
}
