//! Every documented policy form has a fixture under fixtures/forms/<form>/: its AGENTS.md
//! compiles to the snapshotted rules, and each plan in cases.json decides as expected.

mod common;

#[test]
fn forms_compile_and_decide_as_documented() {
    insta::glob!("../fixtures/forms", "*/cases.json", check_fixture);
}

/// Custom Rego fixtures: ```rego blocks, the policy folder, and a folder set in agentgate.toml.
#[test]
fn custom_rego_fixtures_decide_as_written() {
    insta::glob!("../fixtures/rego", "*/cases.json", check_fixture);
}

/// The adversarial suite: respellings that must hit their rule, near misses that must not.
#[test]
fn adversarial_cases_decide_as_expected() {
    insta::glob!("../fixtures/adversarial", "*/cases.json", check_fixture);
}

fn check_fixture(path: &std::path::Path) {
    {
        let dir = path.parent().unwrap().canonicalize().unwrap();
        let policy =
            agentgate::load_policy(&dir).unwrap_or_else(|e| panic!("{}: {e:?}", dir.display()));
        let mut verdicts = Vec::new();
        let mut wrong = Vec::new();
        for case in common::load_cases(path).cases {
            let (got, json) = common::run_case(&dir, &policy, &case);
            let accept = if case.accept.is_empty() {
                vec![case.expect.clone()]
            } else {
                case.accept.clone()
            };
            if !accept.contains(&got) {
                wrong.push(format!(
                    "{}: expected {}, got {got}",
                    case.name, case.expect
                ));
            }
            verdicts.push(
                serde_json::json!({"case": case.name, "verdict": common::verdict_summary(&json)}),
            );
        }
        let rules: Vec<serde_json::Value> = policy
            .rules
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(r).unwrap();
                v["origin"] = serde_json::json!({"file": r.origin.file, "line": r.origin.line, "text": r.origin.text});
                v
            })
            .collect();
        insta::assert_json_snapshot!(
            serde_json::json!({"rules": rules, "unrecognised": policy.unrecognised.len(), "verdicts": verdicts})
        );
        assert!(wrong.is_empty(), "{}:\n{}", dir.display(), wrong.join("\n"));
    }
}
