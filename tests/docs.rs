//! docs/policy-language.md stays in step with the compiler: every example block under "The
//! forms" compiles, and every statement in it yields at least one rule.

mod common;

#[test]
fn documented_examples_compile() {
    let doc = std::fs::read_to_string(common::root().join("docs/policy-language.md")).unwrap();
    let forms = doc
        .split("## The forms")
        .nth(1)
        .expect("a section named The forms");
    let forms = forms.split("\n## ").next().unwrap();
    let mut blocks = 0;
    let mut failures = Vec::new();
    let mut rest = forms;
    while let Some(start) = rest.find("```markdown\n") {
        let body_start = start + "```markdown\n".len();
        let end = rest[body_start..]
            .find("\n```\n")
            .map(|e| body_start + e)
            .unwrap_or(rest.len());
        let body = &rest[body_start..end];
        rest = &rest[end..];
        blocks += 1;
        let policy =
            agentgate::compile::compile(&[agentgate::source::from_text("AGENTS.md", body)])
                .unwrap_or_else(|e| panic!("example does not compile: {body}\n{e:?}"));
        // Every top-level item or paragraph of the example must give a rule.
        for item in body.split("\n- ").map(|s| s.trim_start_matches("- ")) {
            let item = item.trim();
            if item.is_empty() || item.starts_with('#') || item.starts_with("```") {
                continue;
            }
            let norm = |s: &str| s.replace(['`', '*', '_'], "");
            let first = norm(item.lines().next().unwrap_or(""));
            let probe: String = first.trim_start_matches("1. ").chars().take(24).collect();
            let line_ok = if item.contains(" may edit ") {
                // A relaxation of the built-in protection, not a rule of its own.
                matches!(&policy.rules[0].body, agentgate::ir::RuleBody::PathDeny { except, .. } if !except.is_empty())
            } else {
                let whole = norm(item).split_whitespace().collect::<Vec<_>>().join(" ");
                policy.rules.iter().skip(1).any(|r| {
                    let t: String = norm(&r.origin.text).chars().take(20).collect();
                    norm(&r.origin.text).contains(probe.trim()) || whole.contains(t.trim())
                })
            };
            if !line_ok {
                failures.push(item.lines().next().unwrap_or("").to_string());
            }
        }
    }
    assert!(blocks >= 15, "expected the example blocks, found {blocks}");
    assert!(
        failures.is_empty(),
        "documented examples that compile to no rule:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_fixture_folder_is_documented_and_every_documented_fixture_exists() {
    let doc = std::fs::read_to_string(common::root().join("docs/policy-language.md")).unwrap();
    let dir = common::root().join("fixtures/forms");
    let mut folders: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    folders.sort();
    for f in &folders {
        assert!(
            doc.contains(&format!("fixtures/forms/{f}`")),
            "fixtures/forms/{f} is not listed in docs/policy-language.md"
        );
    }
    for line in doc
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("`fixtures/forms/"))
    {
        let name = line
            .split("fixtures/forms/")
            .nth(1)
            .unwrap()
            .split('`')
            .next()
            .unwrap();
        assert!(
            folders.iter().any(|f| f == name),
            "docs name a missing fixture {name}"
        );
    }
}
