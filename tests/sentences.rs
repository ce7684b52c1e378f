//! One sentence, one plan, one decision: fixtures/sentences/cases.json holds the ways people
//! write rules (and near misses that must stay allowed), each sentence alone in an AGENTS.md.
//! Every one must decide as written.

mod common;

#[derive(serde::Deserialize)]
struct Case {
    sentence: String,
    expect: String,
    plan: serde_json::Value,
}

#[derive(serde::Deserialize)]
struct Cases {
    cases: Vec<Case>,
}

#[test]
fn every_sentence_decides_as_written() {
    let path = common::root().join("fixtures/sentences/cases.json");
    let cases: Cases = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(
        cases.cases.len() > 100,
        "the sentence fixtures went missing"
    );
    let mut wrong = Vec::new();
    for c in &cases.cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("AGENTS.md"),
            format!("# Rules\n\n{}\n", c.sentence),
        )
        .unwrap();
        let policy = agentgate::load_policy(dir.path()).unwrap();
        let text = serde_json::to_string(&c.plan).unwrap();
        let got = match agentgate::check_plan(dir.path(), &policy, &text, "plan.json") {
            Ok(v) => v.decision.as_str().to_string(),
            Err(_) => "error".to_string(),
        };
        if got != c.expect {
            wrong.push(format!(
                "{} — expected {}, got {got}: {text}",
                c.sentence, c.expect
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} wrong:\n{}",
        wrong.len(),
        cases.cases.len(),
        wrong.join("\n")
    );
}
