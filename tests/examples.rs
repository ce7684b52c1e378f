//! The bundled example repository: every plan decides as its file name says, and its verdict
//! is snapshotted.

mod common;

#[test]
fn example_plans_decide_as_named() {
    let root = common::root()
        .join("examples/neuronx")
        .canonicalize()
        .unwrap();
    let policy = agentgate::load_policy(&root).unwrap();
    insta::glob!("../examples/neuronx/plans", "*.{json,yaml}", |path| {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let expect = name.split('-').next().unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let got = match agentgate::check_plan(&root, &policy, &text, &name) {
            Ok(v) => {
                let json: serde_json::Value =
                    serde_json::from_str(&agentgate::report::json(&v)).unwrap();
                insta::assert_json_snapshot!(common::verdict_summary(&json));
                v.decision.as_str().to_string()
            }
            Err(e) => {
                insta::assert_snapshot!(e.to_string());
                "error".to_string()
            }
        };
        assert_eq!(got, expect, "{name}");
    });
}

#[test]
fn example_policy_compiles_to_the_snapshotted_ir() {
    let root = common::root().join("examples/neuronx");
    let policy = agentgate::load_policy(&root).unwrap();
    insta::assert_json_snapshot!(policy, { ".digest" => "[digest]" });
}
