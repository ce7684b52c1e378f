//! `agentgate mcp`: an MCP server over stdio with three tools — `check_plan` (plan → verdict),
//! `explain_rule` (id → sentence, origin, kind, what satisfies it) and `list_rules` (optionally
//! the rules about one path). Outputs are structured, with output schemas: `check_plan`'s is the
//! `single` verdict of `docs/verdict.schema.json`.
//!
//! The policy is compiled again for every call, so an edit to AGENTS.md is seen at once; each
//! `check_plan` decision is appended to the audit log.

use std::path::PathBuf;
use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, ContentBlock, Implementation, JsonObject, ServerCapabilities, ServerConfig,
};
use rmcp::{tool, tool_handler, tool_router, ServerHandler, ServiceExt};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::Error;

/// The verdict schema, shipped with the documentation.
const VERDICT_SCHEMA: &str = include_str!("../docs/verdict.schema.json");

/// `check_plan`'s output schema: a single verdict (the root of an MCP output schema must be an
/// object schema), with the shared definitions.
fn verdict_schema() -> Arc<JsonObject> {
    let doc: Value = serde_json::from_str(VERDICT_SCHEMA).unwrap_or_default();
    let mut single = doc["$defs"]["single"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    single.insert("$defs".into(), doc["$defs"].clone());
    Arc::new(single)
}

fn rule_info_schema() -> Value {
    json!({
        "type": "object",
        "required": ["id", "kind", "decision", "severity", "sentence", "origin", "scope", "roles", "paths", "satisfied_by"],
        "properties": {
            "id": {"type": "string", "description": "The rule's id, as in a finding's `rule`."},
            "kind": {"type": "string", "description": "The rule kind (docs/rules/)."},
            "decision": {"enum": ["allow", "ask", "deny"], "description": "What breaking it decides."},
            "severity": {"enum": ["error", "warning", "info"]},
            "sentence": {"type": "string", "description": "The policy sentence, as written."},
            "origin": {
                "type": "object",
                "required": ["file", "line"],
                "properties": {"file": {"type": "string"}, "line": {"type": "integer", "minimum": 1}}
            },
            "scope": {"type": "string", "description": "Subtree it governs (\"\": the whole repository)."},
            "roles": {"type": "array", "items": {"type": "string"}, "description": "Agent roles it applies to (empty: all)."},
            "paths": {"type": "array", "items": {"type": "string"}, "description": "Globs it is about."},
            "satisfied_by": {"type": "string", "description": "What to do instead of breaking it."}
        }
    })
}

fn explain_schema() -> Arc<JsonObject> {
    Arc::new(rule_info_schema().as_object().cloned().unwrap_or_default())
}

fn list_schema() -> Arc<JsonObject> {
    let v = json!({
        "type": "object",
        "required": ["rules"],
        "properties": {"rules": {"type": "array", "items": rule_info_schema()}}
    });
    Arc::new(v.as_object().cloned().unwrap_or_default())
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct CheckPlanArgs {
    /// The plan: `changes`, `commands`, `reads`, `actions`, `evidence` (README "The plan format").
    /// Example: {"commands": [{"run": "git push --force"}]}
    pub plan: serde_json::Map<String, Value>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ExplainRuleArgs {
    /// A rule id, as in a finding's `rule` (`NX-1`).
    pub id: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListRulesArgs {
    /// Only the rules about this repository path (`src/billing/x.rs`); omit for every rule.
    #[serde(default)]
    #[schemars(with = "String")]
    pub path: Option<String>,
}

/// The server: one repository, one audit log.
#[derive(Clone)]
pub struct Server {
    root: PathBuf,
    audit: PathBuf,
    tool_router: ToolRouter<Self>,
}

fn tool_error(message: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message)])
}

/// An error as the text an agent reads: the message and its advice.
fn describe(e: &dyn miette::Diagnostic) -> String {
    let mut s = e.to_string();
    if let Some(h) = e.help() {
        s.push_str(&format!(" (help: {h})"));
    }
    s
}

#[tool_router]
impl Server {
    pub fn new(root: PathBuf, audit: PathBuf) -> Self {
        Server {
            root,
            audit,
            tool_router: Self::tool_router(),
        }
    }

    /// Check a plan against the repository's policy before acting: the verdict is `deny` (do
    /// not act), `ask` (act only with an approval) or `allow`, with each finding's policy
    /// sentence, its file and line, and `help` saying what to do instead.
    #[tool(
        name = "check_plan",
        description = "Check a plan against the repository's policy before acting. The verdict is deny (do not act), ask (act only with an approval) or allow; each finding quotes the policy sentence with its file and line, and `help` says what to do instead.",
        output_schema = verdict_schema()
    )]
    async fn check_plan(&self, Parameters(args): Parameters<CheckPlanArgs>) -> CallToolResult {
        let text = Value::Object(args.plan).to_string();
        let policy = match crate::load_policy(&self.root) {
            Ok(p) => p,
            Err(e) => return tool_error(describe(&e)),
        };
        let verdict = match crate::check_plan(&self.root, &policy, &text, "check_plan") {
            Ok(v) => v,
            Err(e) => return tool_error(describe(&e)),
        };
        let subject = format!("check_plan {text}");
        if let Err(e) = crate::hook::record_decision(&self.audit, "mcp", None, &subject, &verdict) {
            // The decision stands only if it was recorded: fail closed.
            return tool_error(describe(&e));
        }
        let value: Value = serde_json::from_str(&crate::report::json(&verdict)).unwrap_or_default();
        CallToolResult::structured(value)
    }

    /// Explain one rule: its sentence, where it is written, its kind and decision, the paths it
    /// is about, and what satisfies it.
    #[tool(
        name = "explain_rule",
        description = "Explain one rule by id: its sentence, where it is written, its kind and decision, the paths it is about, and what satisfies it.",
        output_schema = explain_schema()
    )]
    async fn explain_rule(&self, Parameters(args): Parameters<ExplainRuleArgs>) -> CallToolResult {
        let policy = match crate::load_policy(&self.root) {
            Ok(p) => p,
            Err(e) => return tool_error(describe(&e)),
        };
        match crate::explain::explain(&policy, &args.id) {
            Ok(info) => CallToolResult::structured(serde_json::to_value(info).unwrap_or_default()),
            Err(e) => tool_error(describe(&e)),
        }
    }

    /// List the policy's rules, or only those about one path ("which rules apply to
    /// src/billing/x.rs?").
    #[tool(
        name = "list_rules",
        description = "List the policy's rules, or only those about one repository path (which rules apply to src/billing/x.rs?).",
        output_schema = list_schema()
    )]
    async fn list_rules(&self, Parameters(args): Parameters<ListRulesArgs>) -> CallToolResult {
        let policy = match crate::load_policy(&self.root) {
            Ok(p) => p,
            Err(e) => return tool_error(describe(&e)),
        };
        let rules = match &args.path {
            Some(p) => match crate::changeset::normalize_path(&self.root, p) {
                Ok(p) => crate::explain::for_path(&policy, &p),
                Err(e) => return tool_error(describe(&e)),
            },
            None => crate::explain::list(&policy),
        };
        CallToolResult::structured(json!({ "rules": rules }))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("agentgate", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Call check_plan with the changes, commands, reads and actions you intend before \
                 you act; do not act on deny, ask the user on ask. explain_rule and list_rules say \
                 what a rule requires.",
            )
    }
}

/// Serve MCP on stdin and stdout until the client disconnects.
pub fn serve(root: PathBuf, audit: PathBuf) -> Result<(), Error> {
    let mcp = |e: &dyn std::fmt::Display| Error::Mcp {
        message: e.to_string(),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| mcp(&e))?;
    rt.block_on(async {
        let service = Server::new(root, audit)
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| mcp(&e))?;
        service.waiting().await.map_err(|e| mcp(&e))?;
        Ok(())
    })
}
