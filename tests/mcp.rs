//! `agentgate mcp` over stdio, spoken to as an MCP client would: initialize, tools/list, and
//! tools/call of each tool (scripts/test-mcp does the same with the real MCP inspector).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{json, Value};

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    next: u64,
}

impl Client {
    fn start(audit: &std::path::Path) -> Client {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("agentgate"))
            .args(["mcp", "--root"])
            .arg(common::root().join("examples/neuronx"))
            .arg("--audit-log")
            .arg(audit)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut c = Client {
            child,
            stdin,
            stdout,
            next: 1,
        };
        let init = c.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "0"}}),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "agentgate", "{init}");
        assert!(
            init["result"]["capabilities"]["tools"].is_object(),
            "{init}"
        );
        c.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        c
    }

    fn send(&mut self, msg: Value) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{msg}").unwrap();
        stdin.flush().unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let mut line = String::new();
            assert!(
                self.stdout.read_line(&mut line).unwrap() > 0,
                "server closed stdout"
            );
            let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
            if v["id"] == json!(id) {
                return v;
            }
        }
    }

    fn call(&mut self, tool: &str, args: Value) -> Value {
        let r = self.request("tools/call", json!({"name": tool, "arguments": args}));
        r["result"].clone()
    }

    fn stop(mut self) {
        drop(self.stdin.take());
        assert!(self.child.wait().unwrap().success());
    }
}

#[test]
fn lists_three_tools_with_schemas() {
    let d = tempfile::tempdir().unwrap();
    let mut c = Client::start(&d.path().join("audit.jsonl"));
    let r = c.request("tools/list", json!({}));
    let tools = r["result"]["tools"].as_array().unwrap();
    let mut names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["check_plan", "explain_rule", "list_rules"]);
    for t in tools {
        assert_eq!(t["inputSchema"]["type"], "object", "{t}");
        assert_eq!(t["outputSchema"]["type"], "object", "{t}");
        assert!(t["description"].as_str().unwrap().len() > 20, "{t}");
    }
    let check = tools.iter().find(|t| t["name"] == "check_plan").unwrap();
    assert!(
        check["inputSchema"]["properties"]["plan"].is_object(),
        "{check}"
    );
    assert!(
        check["outputSchema"]["properties"]["findings"].is_object(),
        "{check}"
    );
    c.stop();
}

#[test]
fn check_plan_denies_a_force_push_and_records_it() {
    let d = tempfile::tempdir().unwrap();
    let audit = d.path().join("audit.jsonl");
    let mut c = Client::start(&audit);
    let r = c.call(
        "check_plan",
        json!({"plan": {"commands": [{"run": "git push --force"}]}}),
    );
    assert_eq!(r["isError"], false, "{r}");
    let v = &r["structuredContent"];
    assert_eq!(v["decision"], "deny", "{r}");
    assert_eq!(v["schema_version"], "1");
    assert_eq!(v["findings"][0]["sentence"], "Never force push.");
    // The structured verdict validates against the tool's own output schema.
    let list = c.request("tools/list", json!({}));
    let schema = list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "check_plan")
        .unwrap()["outputSchema"]
        .clone();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(v), "{v}");
    // An innocent plan is allowed.
    let r = c.call(
        "check_plan",
        json!({"plan": {"changes": [{"path": "docs/guide.md", "op": "modify"}]}}),
    );
    assert_eq!(r["structuredContent"]["decision"], "allow", "{r}");
    c.stop();
    let log = std::fs::read_to_string(&audit).unwrap();
    assert_eq!(log.lines().count(), 2, "{log}");
    assert!(log.contains("\"deny\"") && log.contains("\"mcp\""), "{log}");
}

#[test]
fn a_broken_plan_is_a_tool_error_not_a_verdict() {
    let d = tempfile::tempdir().unwrap();
    let mut c = Client::start(&d.path().join("audit.jsonl"));
    let r = c.call(
        "check_plan",
        json!({"plan": {"changes": [{"path": "docs/\u{0}x", "op": "modify"}]}}),
    );
    assert_eq!(r["isError"], true, "{r}");
    assert!(
        r["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("invalid path"),
        "{r}"
    );
    let r = c.call("check_plan", json!({"plan": {"surprise": 1}}));
    assert_eq!(r["isError"], true, "{r}");
    c.stop();
}

#[test]
fn explain_rule_and_list_rules() {
    let d = tempfile::tempdir().unwrap();
    let mut c = Client::start(&d.path().join("audit.jsonl"));
    let r = c.call("explain_rule", json!({"id": "NX-1"}));
    let v = &r["structuredContent"];
    assert_eq!(v["kind"], "path-deny", "{r}");
    assert_eq!(v["origin"], json!({"file": "AGENTS.md", "line": 9}));
    assert!(
        v["satisfied_by"]
            .as_str()
            .unwrap()
            .starts_with("leave `docs/SSOT/**`"),
        "{v}"
    );
    let r = c.call("explain_rule", json!({"id": "NX-9"}));
    assert_eq!(r["isError"], true, "{r}");
    let r = c.call("list_rules", json!({"path": "src/billing/x.rs"}));
    let rules = r["structuredContent"]["rules"].as_array().unwrap();
    assert!(
        rules.iter().any(|r| r["kind"] == "review-requirement"),
        "{rules:?}"
    );
    assert!(!rules.iter().any(|r| r["id"] == "NX-1"), "{rules:?}");
    let all = c.call("list_rules", json!({}));
    assert!(all["structuredContent"]["rules"].as_array().unwrap().len() > rules.len());
    c.stop();
}

#[test]
fn input_schemas_are_portable() {
    // One `type` per property: clients mapping tool schemas onto OpenAPI-like dialects reject
    // `["string", "null"]` (the MCP inspector's --strict check).
    let d = tempfile::tempdir().unwrap();
    let mut c = Client::start(&d.path().join("audit.jsonl"));
    let r = c.request("tools/list", json!({}));
    let text = r["result"].to_string();
    assert!(!text.contains("\"type\":[\""), "{text}");
    let list = r["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "list_rules")
        .unwrap()
        .clone();
    assert_eq!(
        list["inputSchema"]["properties"]["path"]["type"], "string",
        "{list}"
    );
    assert!(
        list["inputSchema"]["required"]
            .as_array()
            .is_none_or(|a| a.is_empty()),
        "{list}"
    );
    c.stop();
}
