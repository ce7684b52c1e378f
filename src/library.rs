//! The Rego rule library's `# METADATA` headers (regorus has no `rego.metadata`, so they are
//! parsed here): what `agentgate rules` lists and what `docs/rules/` is generated from.

use serde::Serialize;

use crate::engine::rego::MODULES;

/// One rule kind, documented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleDoc {
    pub id: String,
    pub title: String,
    pub description: String,
    pub example: String,
    /// The Rego module, `rules/<name>.rego`.
    pub file: String,
}

/// Parse the `# METADATA` header of a module: `# key: value` lines.
pub fn metadata(file: &str, text: &str) -> Option<RuleDoc> {
    let mut lines = text.lines();
    if lines.next()?.trim() != "# METADATA" {
        return None;
    }
    let mut doc = RuleDoc {
        id: String::new(),
        title: String::new(),
        description: String::new(),
        example: String::new(),
        file: file.to_string(),
    };
    for l in lines {
        let Some(rest) = l.strip_prefix("# ") else {
            break;
        };
        let Some((k, v)) = rest.split_once(": ") else {
            continue;
        };
        let v = v.trim().to_string();
        match k.trim() {
            "id" => doc.id = v,
            "title" => doc.title = v,
            "description" => doc.description = v,
            "example" => doc.example = v,
            _ => {}
        }
    }
    (!doc.id.is_empty()).then_some(doc)
}

/// Every rule kind of the library (not the shared helpers), in library order.
pub fn kinds() -> Vec<RuleDoc> {
    MODULES
        .iter()
        .filter(|(f, _)| !f.ends_with("/lib.rego"))
        .filter_map(|(f, t)| metadata(f, t))
        .collect()
}

/// `docs/rules/<id>.md` for a kind.
pub fn doc_page(d: &RuleDoc) -> String {
    format!(
        "<!-- generated from the METADATA header of {file}; edit that, then run `AGENTGATE_UPDATE_DOCS=1 cargo test --test library` -->\n# {title} (`{id}`)\n\n{description}\n\n## Example\n\n```markdown\n- {example}\n```\n\n## Semantics\n\nThe native engine (`src/engine/check.rs`) and the Rego module [`{file}`](../../{file}) implement the same semantics; `tests/differential.rs` checks that they agree. See [the policy language](../policy-language.md) for every way to write it.\n",
        file = d.file,
        title = d.title,
        id = d.id,
        description = d.description,
        example = d.example,
    )
}

/// `docs/rules/README.md`.
pub fn doc_index(kinds: &[RuleDoc]) -> String {
    let mut s = String::from("<!-- generated from the METADATA headers in rules/; run `AGENTGATE_UPDATE_DOCS=1 cargo test --test library` -->\n# Rule kinds\n\n| kind | what it checks | module |\n| --- | --- | --- |\n");
    for d in kinds {
        s.push_str(&format!(
            "| [`{}`]({}.md) | {} | `{}` |\n",
            d.id, d.id, d.title, d.file
        ));
    }
    s
}
