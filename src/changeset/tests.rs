use super::*;
use proptest::prelude::*;
use std::path::PathBuf;

const FULL_JSON: &str = r#"{ "agent": {"id": "impl-1", "role": "implementer"}, "session": "s-42",
  "changes":  [{"path": "src/lib.rs", "op": "modify", "added": 10, "removed": 2},
               {"path": "b.rs", "op": "rename", "from": "a.rs"}],
  "commands": [{"run": "cargo test", "timeout_s": 60}],
  "reads":    ["config/app.toml"],
  "actions":  [{"kind": "deploy", "environment": "staging", "target": "web"}],
  "evidence": {"checks": [{"command": "cargo test", "status": "passed"}],
               "approvals": [{"by": "@payments", "rule": "SSOT-1"}]} }"#;

const FULL_YAML: &str = "\
agent:
  id: impl-1
  role: implementer
session: s-42
changes:
  - path: src/lib.rs
    op: modify
    added: 10
    removed: 2
  - op: rename
    path: b.rs
    from: a.rs
commands:
  - run: cargo test
    timeout_s: 60
reads:
  - config/app.toml
actions:
  - kind: deploy
    environment: staging
    target: web
evidence:
  checks:
    - command: cargo test
      status: passed
  approvals:
    - by: '@payments'
      rule: SSOT-1
";

fn root() -> PathBuf {
    PathBuf::from("/repo/root")
}

fn parse(text: &str, name: &str) -> Result<Plan, PlanError> {
    parse_plan(text, name, &root())
}

fn err(text: &str, name: &str) -> PlanError {
    parse(text, name).expect_err("plan should be rejected")
}

fn help(e: &PlanError) -> String {
    e.help().map(|h| h.to_string()).unwrap_or_default()
}

fn norm(p: &str) -> Result<String, PathError> {
    normalize_path(&root(), p)
}

fn without_lines(mut plan: Plan) -> Plan {
    plan.changes.iter_mut().for_each(|c| c.line = None);
    plan.commands.iter_mut().for_each(|c| c.line = None);
    plan.reads.iter_mut().for_each(|r| r.line = None);
    plan.actions.iter_mut().for_each(|a| a.line = None);
    plan
}

#[test]
fn empty_object_is_an_empty_plan() {
    assert_eq!(parse("{}", "plan.json").unwrap(), Plan::default());
    assert_eq!(parse(" {}\n", "-").unwrap(), Plan::default());
    assert_eq!(parse("{}", "plan.yaml").unwrap(), Plan::default());
}

#[test]
fn empty_null_or_comment_only_input_fails_closed() {
    for text in ["", "\n  \n", "# just a comment\n", "~", "null", "---\n"] {
        for name in ["plan.yaml", "-"] {
            let e = err(text, name);
            assert!(matches!(e, PlanError::Empty { .. }), "{text:?}: {e:?}");
            assert!(help(&e).contains("`{}`"), "{text:?}: {}", help(&e));
        }
    }
}

#[test]
fn yaml_tags_are_rejected() {
    for (text, tag) in [
        (
            "changes:\n  - path: !!binary ZG9jcw==\n    op: modify\n",
            "!!binary",
        ),
        ("changes: [ {path: !!str a.rs, op: add} ]\n", "!!str"),
        ("changes:\n  - path: !custom a.rs\n    op: add\n", "!custom"),
        ("!!map\nchanges: []\n", "!!map"),
    ] {
        let e = err(text, "p.yaml");
        assert!(
            e.to_string().contains(&format!("YAML tag `{tag}`")),
            "{text:?}: {e}"
        );
    }
    // `!!` inside a value is text, not a tag.
    let plan = parse("commands:\n  - run: sudo !!\n", "p.yaml").unwrap();
    assert_eq!(plan.commands[0].run, "sudo !!");
}

#[test]
fn full_example_json() {
    let plan = parse(FULL_JSON, "plan.json").unwrap();
    assert_eq!(
        plan.agent,
        Agent {
            id: Some("impl-1".into()),
            role: Some("implementer".into())
        }
    );
    assert_eq!(plan.session.as_deref(), Some("s-42"));
    assert_eq!(
        plan.changes,
        vec![
            Change {
                path: "src/lib.rs".into(),
                op: Op::Modify,
                from: None,
                added: 10,
                removed: 2,
                line: Some(2)
            },
            Change {
                path: "b.rs".into(),
                op: Op::Rename,
                from: Some("a.rs".into()),
                added: 0,
                removed: 0,
                line: Some(3)
            },
        ]
    );
    assert_eq!(plan.changes[0].lines_changed(), 12);
    assert_eq!(
        plan.commands,
        vec![Command {
            run: "cargo test".into(),
            timeout_s: Some(60),
            line: Some(4)
        }]
    );
    assert_eq!(
        plan.reads,
        vec![Read {
            path: "config/app.toml".into(),
            line: Some(5)
        }]
    );
    assert_eq!(
        plan.actions,
        vec![Action {
            kind: ActionKind::Deploy,
            environment: Some("staging".into()),
            target: Some("web".into()),
            line: Some(6)
        }]
    );
    assert_eq!(
        plan.evidence.checks,
        vec![Check {
            command: "cargo test".into(),
            status: CheckStatus::Passed
        }]
    );
    assert_eq!(
        plan.evidence.approvals,
        vec![Approval {
            by: "@payments".into(),
            rule: Some("SSOT-1".into())
        }]
    );
}

#[test]
fn yaml_equivalent_parses_the_same() {
    let json = parse(FULL_JSON, "plan.json").unwrap();
    let yaml = parse(FULL_YAML, "plan.yml").unwrap();
    assert_eq!(without_lines(yaml.clone()), without_lines(json));
    let lines = |p: &Plan| {
        let c: Vec<_> = p.changes.iter().map(|c| c.line).collect();
        (c, p.commands[0].line, p.reads[0].line, p.actions[0].line)
    };
    // The second change lists `op` first: its line is that of `path`, one below the entry start.
    assert_eq!(
        lines(&yaml),
        (vec![Some(6), Some(11)], Some(14), Some(17), Some(19))
    );
    // Sniffed formats agree with the extension-based ones.
    assert_eq!(parse(FULL_YAML, "-").unwrap(), yaml);
    assert_eq!(
        parse(FULL_JSON, "-").unwrap(),
        parse(FULL_JSON, "plan.json").unwrap()
    );
    // JSON is valid YAML, too.
    assert_eq!(
        without_lines(parse(FULL_JSON, "plan.yaml").unwrap()),
        without_lines(yaml)
    );
}

#[test]
fn line_numbers_in_pretty_json() {
    let text = r#"{
  "changes": [
    {
      "path": "src/a.rs",
      "op": "add"
    },
    {
      "path": "src/b.rs",
      "op": "delete"
    }
  ],
  "commands": [
    { "run": "cargo build" },
    {
      "run": "cargo test"
    }
  ],
  "reads": [
    "README.md",
    "src/a.rs"
  ],
  "actions": [
    {
      "kind": "pull-request"
    }
  ]
}"#;
    let plan = parse(text, "plan.json").unwrap();
    let changes: Vec<_> = plan.changes.iter().map(|c| c.line).collect();
    let commands: Vec<_> = plan.commands.iter().map(|c| c.line).collect();
    let reads: Vec<_> = plan.reads.iter().map(|r| r.line).collect();
    assert_eq!(changes, [Some(3), Some(7)]);
    assert_eq!(commands, [Some(13), Some(14)]);
    assert_eq!(reads, [Some(19), Some(20)]);
    assert_eq!(plan.actions[0].line, Some(23));
    assert_eq!(plan.actions[0].kind, ActionKind::PullRequest);
}

#[test]
fn yaml_lines_in_flow_style_and_with_repeated_values() {
    let text = "reads: [a.rs, a.rs]\nchanges:\n  - {path: a.rs, op: add}\n  - {path: \"a.rs\", op: modify}\n";
    let plan = parse(text, "p.yaml").unwrap();
    assert_eq!(
        plan.reads.iter().map(|r| r.line).collect::<Vec<_>>(),
        [Some(1), Some(1)]
    );
    assert_eq!(
        plan.changes.iter().map(|c| c.line).collect::<Vec<_>>(),
        [Some(3), Some(4)]
    );
}

#[test]
fn unknown_top_level_field() {
    let e = err(r#"{"chnages": []}"#, "plan.json");
    assert!(matches!(e, PlanError::Shape { line: Some(1), .. }), "{e:?}");
    assert!(e.to_string().contains("`chnages`"), "{e}");
    assert!(help(&e).contains("`changes`"), "{}", help(&e));
    let e = err("session: s\nchnages: []\n", "plan.yaml");
    assert!(
        matches!(
            e,
            PlanError::Shape {
                line: Some(2),
                column: Some(1),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("`chnages`"), "{e}");
}

#[test]
fn unknown_nested_field() {
    let text =
        "{\"changes\": [\n {\"path\": \"a\", \"op\": \"add\"},\n {\"path\": \"b\", \"op\": \"add\", \"colour\": 1}]}";
    let e = err(text, "plan.json");
    let msg = e.to_string();
    assert!(
        msg.contains("`colour`") && msg.contains("changes[1]") && msg.contains("line 3"),
        "{msg}"
    );
    assert!(help(&e).contains("`removed`"), "{}", help(&e));
    let e = err(
        "evidence:\n  checks:\n    - command: x\n      status: passed\n      why: y\n",
        "p.yaml",
    );
    let msg = e.to_string();
    assert!(
        msg.contains("`why`") && msg.contains("evidence.checks[0]") && msg.contains("line 5"),
        "{msg}"
    );
    let e = err(r#"{"agent": {"id": "a", "name": "b"}}"#, "p.json");
    assert!(e.to_string().contains("agent: unknown field `name`"), "{e}");
}

#[test]
fn bad_op_lists_allowed_values() {
    let e = err(r#"{"changes": [{"path": "a", "op": "edit"}]}"#, "plan.json");
    assert!(
        e.to_string()
            .contains("changes[0].op: unknown variant `edit`"),
        "{e}"
    );
    assert_eq!(
        help(&e),
        "allowed values: `add`, `modify`, `delete`, `rename`, `copy`"
    );
    let e = err("actions:\n  - kind: launch\n", "p.yaml");
    assert!(help(&e).contains("`pull-request`"), "{}", help(&e));
}

#[test]
fn bad_status_lists_allowed_values() {
    let e = err(
        r#"{"evidence": {"checks": [{"command": "t", "status": "ok"}]}}"#,
        "plan.json",
    );
    assert!(matches!(e, PlanError::Shape { .. }));
    assert!(e.to_string().contains("`ok`"), "{e}");
    assert_eq!(help(&e), "allowed values: `passed`, `failed`");
    assert!(parse(
        r#"{"evidence": {"checks": [{"command": "t", "status": "pass"}]}}"#,
        "p.json"
    )
    .is_err());
}

#[test]
fn rename_without_from() {
    let text = "{\"changes\": [\n{\"path\": \"a\", \"op\": \"add\"},\n{\"path\": \"b.rs\", \"op\": \"rename\"}]}";
    match err(text, "plan.json") {
        PlanError::MissingFrom {
            index: 1,
            path,
            op: Op::Rename,
            line: Some(3),
            ..
        } => assert_eq!(path, "b.rs"),
        e => panic!("{e:?}"),
    }
    assert!(matches!(
        err("changes: [{path: b, op: copy}]", "p.yml"),
        PlanError::MissingFrom { op: Op::Copy, .. }
    ));
}

#[test]
fn from_on_modify() {
    let e = err(
        r#"{"changes": [{"path": "a", "op": "modify", "from": "b"}]}"#,
        "plan.json",
    );
    assert!(
        matches!(
            e,
            PlanError::UnexpectedFrom {
                index: 0,
                op: Op::Modify,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("`modify`"), "{e}");
}

#[test]
fn json_syntax_error_reports_line() {
    let e = err(
        "{\n  \"changes\": [\n    {\"path\": \"a\" \"op\": \"add\"}\n  ]\n}",
        "plan.json",
    );
    match &e {
        PlanError::Syntax {
            line: Some(3),
            column: Some(_),
            format: PlanFormat::Json,
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string()
            .starts_with("invalid JSON in `plan.json` at line 3, column"),
        "{e}"
    );
    assert!(matches!(err("", "plan.json"), PlanError::Syntax { .. }));
    assert!(matches!(
        err("{} {}", "plan.json"),
        PlanError::Syntax { .. }
    ));
    // A sniffed format explains itself.
    let e = err("{changes: []}", "-");
    assert!(help(&e).contains("read as JSON"), "{}", help(&e));
}

#[test]
fn yaml_syntax_error_reports_line() {
    let e = err("changes:\n  - path: a\n    op: [add\n", "plan.yaml");
    assert!(
        matches!(
            e,
            PlanError::Syntax {
                line: Some(_),
                format: PlanFormat::Yaml,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        !e.to_string().contains(" column 1,"),
        "position not repeated: {e}"
    );
}

#[test]
fn non_object_top_level_is_a_shape_error() {
    for (text, name) in [
        ("[]", "p.json"),
        ("null", "p.json"),
        ("\"x\"", "p.json"),
        ("- a\n", "p.yaml"),
        ("42", "p.yaml"),
        ("[1]", "-"),
    ] {
        let e = err(text, name);
        assert!(matches!(e, PlanError::Shape { .. }), "{text}: {e:?}");
        assert!(help(&e).contains("`evidence`"), "{text}: {}", help(&e));
    }
}

#[test]
fn positional_and_tagged_forms_are_rejected() {
    for text in [
        r#"{"changes": [["a.rs", "add"]]}"#,
        r#"{"agent": ["a", "b"]}"#,
        r#"{"changes": [{"path": "a.rs", "op": {"add": null}}]}"#,
        r#"{"changes": {"path": "a.rs", "op": "add"}}"#,
        r#"{"changes": [{"path": "a.rs", "op": "add", "path": "b.rs"}]}"#,
        r#"{"changes": [{"path": "a.rs", "op": "add", "added": -1}]}"#,
        r#"{"reads": "a.rs"}"#,
        r#"{"changes": [{"path": "a.rs", "op": "add", "line": 3}]}"#,
    ] {
        assert!(
            matches!(err(text, "p.json"), PlanError::Shape { .. }),
            "{text}"
        );
    }
    assert!(matches!(
        err("changes:\n  - [a.rs, add]\n", "p.yaml"),
        PlanError::Shape { .. }
    ));
    assert!(err("changes:\n  - path: a.rs\n    op: !add x\n", "p.yaml")
        .to_string()
        .contains("at line 3: YAML tag `!add`"));
}

#[test]
fn alias_bombs_are_rejected() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        text.push_str(
            &format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n")
                .replace("*a0", "*a"),
        );
    }
    assert!(parse(&text, "p.yaml").is_err());
}

#[test]
fn format_detection() {
    let bom_json = "\u{feff}{\"session\": \"s\"}";
    assert_eq!(
        parse(bom_json, "PLAN.JSON").unwrap().session.as_deref(),
        Some("s")
    );
    assert_eq!(parse(bom_json, "-").unwrap().session.as_deref(), Some("s"));
    let e = err("session: s\n", "plan.json");
    assert!(
        matches!(
            e,
            PlanError::Syntax {
                format: PlanFormat::Json,
                help: None,
                ..
            }
        ),
        "{e:?}"
    );
    let e = err("session: [\n", "notes.txt");
    assert!(help(&e).contains("read as YAML"), "{}", help(&e));
}

#[test]
fn missing_required_field() {
    let e = err(r#"{"commands": [{"timeout_s": 5}]}"#, "p.json");
    assert!(
        e.to_string().contains("commands[0]: missing field `run`"),
        "{e}"
    );
    assert_eq!(help(&e), "add the required field `run`");
}

#[test]
fn empty_command() {
    for run in ["", "  "] {
        let text = format!(r#"{{"commands": [{{"run": "ls"}}, {{"run": "{run}"}}]}}"#);
        assert!(matches!(
            err(&text, "p.json"),
            PlanError::EmptyCommand { index: 1, .. }
        ));
    }
}

#[test]
fn null_lists_are_empty_and_defaults_apply() {
    let plan = parse(
        r#"{"changes": null, "agent": null, "changes2": 1}"#,
        "p.json",
    );
    assert!(plan.is_err());
    let plan = parse("changes:\nreads:\nagent:\n", "p.yaml").unwrap();
    assert_eq!(plan, Plan::default());
    let plan = parse(r#"{"changes": [{"path": "a", "op": "delete"}]}"#, "p.json").unwrap();
    assert_eq!((plan.changes[0].added, plan.changes[0].removed), (0, 0));
}

#[test]
fn too_large_is_checked_before_parsing() {
    let e = parse_with_limit("{\"not json", "p.json", &root(), 4).unwrap_err();
    assert!(
        matches!(
            e,
            PlanError::TooLarge {
                bytes: 10,
                limit: 4,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(MAX_PLAN_BYTES, 256 << 20);
}

#[test]
fn deep_nesting_is_too_deep_not_a_crash() {
    let deep = format!("session: {}", "[".repeat(10_000));
    assert!(matches!(err(&deep, "p.yaml"), PlanError::TooDeep { .. }));
    let deep = format!("{{\"session\": {}", "[".repeat(10_000));
    assert!(parse(&deep, "p.json").is_err());
}

#[test]
fn paths_outside_the_repository_are_facts() {
    let root = root();
    for (raw, want) in [
        ("../x", "/repo/x"),
        ("/etc/passwd", "/etc/passwd"),
        ("a/../../x", "/repo/x"),
        ("~/.ssh/id_rsa", "~/.ssh/id_rsa"),
        ("~/a/../.bashrc", "~/.bashrc"),
        ("~", "~"),
        ("/tmp//x/./y", "/tmp/x/y"),
    ] {
        assert_eq!(locate(&root, raw).unwrap(), want, "{raw}");
        assert!(is_outside(want));
    }
    assert_eq!(locate(&root, "src/a.rs").unwrap(), "src/a.rs");
    assert_eq!(locate(&root, "/repo/root/src/a.rs").unwrap(), "src/a.rs");
    for bad in ["C:\\x", "~other/x", "a\0b", ""] {
        assert!(locate(&root, bad).is_err(), "{bad}");
    }
    let plan = parse(
        r#"{"reads": ["~/.ssh/id_rsa"], "changes": [{"path": "/tmp/x", "op": "add"}]}"#,
        "p.json",
    )
    .unwrap();
    assert_eq!(plan.reads[0].path, "~/.ssh/id_rsa");
    assert_eq!(plan.changes[0].path, "/tmp/x");
}

#[test]
fn a_path_outside_only_by_a_symlink_is_the_repositorys() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join("docs/SSOT")).unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(repo.join("docs"), &link).unwrap();
    let via = format!("{}/SSOT/new.md", link.display());
    assert_eq!(locate(&repo, &via).unwrap(), "docs/SSOT/new.md");
}

#[test]
fn path_errors_name_the_field() {
    let text = "{\"reads\": [\"ok\",\n \"C:\\\\secret\"]}";
    match err(text, "p.json") {
        PlanError::Path {
            field,
            line: Some(2),
            source: PathError::Escape { .. },
            ..
        } => assert_eq!(field, "reads[1]"),
        e => panic!("{e:?}"),
    }
    let e = err(
        r#"{"changes": [{"path": "b", "op": "copy", "from": "~other/passwd"}]}"#,
        "p.json",
    );
    assert!(
        matches!(&e, PlanError::Path { field, .. } if field == "changes[0].from"),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "invalid path in `changes[0].from` of `p.json` at line 1"
    );
    let e = err(r#"{"changes": [{"path": "./", "op": "delete"}]}"#, "p.json");
    assert!(
        matches!(
            e,
            PlanError::Path {
                source: PathError::RepoRoot { .. },
                ..
            }
        ),
        "{e:?}"
    );
    // Reading the whole repository is allowed and normalises to "".
    assert_eq!(
        parse(r#"{"reads": ["."]}"#, "p.json").unwrap().reads[0].path,
        ""
    );
}

#[test]
fn change_paths_are_normalised() {
    let text = r#"{"changes": [{"path": "src\\new.rs", "op": "rename", "from": "./src//old.rs"}], "reads": ["/repo/root/a/../b"]}"#;
    let plan = parse(text, "p.json").unwrap();
    assert_eq!(plan.changes[0].path, "src/new.rs");
    assert_eq!(plan.changes[0].from.as_deref(), Some("src/old.rs"));
    assert_eq!(plan.reads[0].path, "b");
}

#[test]
fn path_cases() {
    assert_eq!(norm("./src//lib.rs/").unwrap(), "src/lib.rs");
    assert_eq!(norm("src\\lib.rs").unwrap(), "src/lib.rs");
    assert_eq!(norm("a/./b/../c").unwrap(), "a/c");
    assert_eq!(
        norm(&format!("{}/src/x", root().display())).unwrap(),
        "src/x"
    );
    assert_eq!(norm("/repo/root").unwrap(), "");
    assert_eq!(norm("/repo/root/").unwrap(), "");
    assert_eq!(norm(".").unwrap(), "");
    assert_eq!(norm("a/..").unwrap(), "");
    assert_eq!(norm("/repo/x/../root/y").unwrap(), "y");
    assert_eq!(norm("e\u{301}.rs").unwrap(), "\u{e9}.rs");
    assert_eq!(norm("caf\u{e9}").unwrap(), "caf\u{e9}");
    assert!(norm("/repo/root/~/x").is_err(), "results stay fixed points");
    for bad in [
        "../x",
        "/etc/passwd",
        "a/../../x",
        "..",
        "/repo/rootx/a",
        "/repo",
        "~/x",
        "~",
        "C:\\x",
        "\\..\\x",
    ] {
        assert!(matches!(norm(bad), Err(PathError::Escape { .. })), "{bad}");
    }
    assert!(matches!(norm(""), Err(PathError::Empty)));
    assert!(matches!(norm("a\0b"), Err(PathError::Nul { .. })));
    assert_eq!(
        norm("a\0b").unwrap_err().to_string(),
        "path `a\\u{0}b` contains a NUL character"
    );
}

#[test]
fn paths_against_relative_and_canonical_roots() {
    let dir = std::env::temp_dir().join(format!("planlab-root-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let canonical = dir.canonicalize().unwrap();
    let via_dots = dir.join("src").join("..");
    assert_eq!(
        normalize_path(&via_dots, &format!("{}/src/x", canonical.display())).unwrap(),
        "src/x"
    );
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(
        normalize_path(Path::new("."), &format!("{}/a", cwd.display())).unwrap(),
        "a"
    );
    assert_eq!(
        normalize_path(Path::new(""), &format!("{}/a/b", cwd.display())).unwrap(),
        "a/b"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn messages_are_lowercase_without_final_period() {
    let errors = [
        err("{\"chnages\": 1}", "p.json"),
        err("{", "p.json"),
        err("a: [", "p.yaml"),
        err(r#"{"changes": [{"path": "a", "op": "rename"}]}"#, "p.json"),
        err(r#"{"commands": [{"run": ""}]}"#, "p.json"),
        err(r#"{"reads": [""]}"#, "p.json"),
        parse_with_limit("{}", "p.json", &root(), 1).unwrap_err(),
    ];
    for e in errors {
        let msg = e.to_string();
        assert!(
            msg.starts_with(|c: char| c.is_lowercase()) && !msg.ends_with('.'),
            "{msg}"
        );
        let code = e.code().unwrap().to_string();
        assert!(code.starts_with("agentgate::plan::"), "{code}");
    }
}

#[test]
fn control_characters_in_messages_are_escaped() {
    let e = err("{\"x\\u001b[31m\": 1}", "p\n.json");
    assert!(
        !e.to_string().contains('\u{1b}') && !e.to_string().contains('\n'),
        "{e}"
    );
}

#[test]
fn serializes_with_contract_names() {
    let plan = parse(
        r#"{"actions": [{"kind": "pull-request"}], "changes": [{"path": "a", "op": "add"}]}"#,
        "p.json",
    )
    .unwrap();
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["actions"][0]["kind"], "pull-request");
    assert_eq!(json["changes"][0]["op"], "add");
    assert_eq!(json["changes"][0]["line"], 1);
}

#[test]
fn lines_changed_saturates() {
    let c = Change {
        path: "a".into(),
        op: Op::Add,
        from: None,
        added: u64::MAX,
        removed: 1,
        line: None,
    };
    assert_eq!(c.lines_changed(), u64::MAX);
}

fn segment() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,7}".prop_filter("not a dot segment", |s| s != "." && s != "..")
}

proptest! {
    #[test]
    fn respellings_normalise_to_the_same_path(
        segments in prop::collection::vec(segment(), 1..6),
        detour in segment(),
        decorations in prop::collection::vec(0u8..6, 6),
        leading_dot in any::<bool>(),
        trailing_slash in any::<bool>(),
        absolute in any::<bool>(),
    ) {
        let canonical = segments.join("/");
        let mut spelled = String::new();
        if absolute {
            spelled.push_str("/repo/root/");
        } else if leading_dot {
            spelled.push_str("./");
        }
        for (i, seg) in segments.iter().enumerate() {
            if i > 0 {
                spelled.push_str(match decorations[i] {
                    0 => "/",
                    1 => "//",
                    2 => "\\",
                    3 => "/./",
                    4 => "\\.\\",
                    _ => "/",
                });
                if decorations[i] == 5 {
                    spelled.push_str(&format!("{detour}/../"));
                }
            }
            spelled.push_str(seg);
        }
        if trailing_slash {
            spelled.push('/');
        }
        prop_assert_eq!(norm(&spelled).unwrap(), canonical.clone());
        prop_assert_eq!(norm(&canonical).unwrap(), canonical);
    }

    #[test]
    fn normalised_paths_are_fixed_points(path in "[a-z./\\\\~]{1,20}") {
        if let Ok(once) = norm(&path) {
            prop_assert!(!once.starts_with('/') && !once.split('/').any(|s| s == ".." || s == "."));
            if !once.is_empty() {
                prop_assert_eq!(norm(&once).unwrap(), once.clone());
            }
        }
    }

    #[test]
    fn never_panics_on_arbitrary_text(text in any::<String>(), name in prop::sample::select(vec!["p.json", "p.yaml", "-"])) {
        let _ = parse(&text, name);
        let _ = normalize_path(&root(), &text);
    }

    #[test]
    fn never_panics_on_json_like_text(text in "[{}\\[\\]\",: a-z0-9\\\\\n]{0,60}") {
        let _ = parse(&text, "p.json");
        let _ = parse(&text, "p.yaml");
        let _ = scan_json(&text, text.len() / 2, |_, _| {});
    }
}

proptest! {
    #[test]
    fn never_panics_on_mutated_plans(
        yaml in any::<bool>(),
        at in 0usize..1000,
        cut in 0usize..8,
        insert in "[\\\\/.:\"'{}\\[\\],\\- \n#&*!a-z0-9]{0,3}",
    ) {
        let base = if yaml { FULL_YAML } else { FULL_JSON };
        let at = at % base.len();
        let end = (at + cut).min(base.len());
        let text = format!("{}{}{}", &base[..at], insert, &base[end..]);
        for name in ["p.json", "p.yaml", "-"] {
            if let Ok(plan) = parse(&text, name) {
                prop_assert!(plan.changes.iter().all(|c| !c.path.contains('\\')));
            }
        }
    }
}

#[test]
fn line_counts_that_overflow_are_rejected() {
    let max = u64::MAX;
    let ok = format!(r#"{{"changes": [{{"path": "a", "op": "add", "added": {max}}}]}}"#);
    assert_eq!(
        parse(&ok, "p.json").unwrap().changes[0].lines_changed(),
        max
    );
    let text =
        format!(r#"{{"changes": [{{"path": "a", "op": "add", "added": {max}, "removed": 1}}]}}"#);
    let e = err(&text, "p.json");
    assert!(matches!(e, PlanError::Shape { line: Some(1), .. }), "{e:?}");
}

proptest! {
    /// The fast path for paths that are already normal gives what the general path gives.
    #[test]
    fn plain_paths_normalise_as_the_general_path_does(path in "[a-zA-Z0-9._~:\\\\/ -]{0,12}") {
        let root = Path::new("/repo");
        if is_plain(&path) {
            prop_assert_eq!(normalize_general(root, &path).ok(), Some(path.clone()));
        }
        prop_assert_eq!(normalize_path(root, &path).ok(), normalize_general(root, &path).ok());
    }
}
