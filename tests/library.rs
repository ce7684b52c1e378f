//! The Rego library: every module is loaded, every kind has a METADATA header, and docs/rules/
//! is generated from them (this test fails when it is stale).

use std::collections::BTreeSet;

#[test]
fn every_module_in_rules_is_loaded_and_documented() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let on_disk: BTreeSet<String> = std::fs::read_dir(root.join("rules"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".rego"))
        .map(|n| format!("rules/{n}"))
        .collect();
    let loaded: BTreeSet<String> = agentgate::engine::rego::MODULES
        .iter()
        .map(|(f, _)| f.to_string())
        .collect();
    assert_eq!(on_disk, loaded, "rules/ and engine::rego::MODULES differ");
    let kinds = agentgate::library::kinds();
    assert_eq!(
        kinds.len(),
        loaded.len() - 1,
        "every module but lib.rego documents a kind"
    );
    for k in &kinds {
        assert!(
            !k.title.is_empty() && !k.description.is_empty() && !k.example.is_empty(),
            "{k:?}"
        );
        // The example compiles to at least one rule.
        let p = agentgate::compile::compile(&[agentgate::source::from_text(
            "AGENTS.md",
            &format!("- {}\n", k.example),
        )])
        .unwrap();
        assert!(
            p.rules.len() > 1,
            "example of {} does not compile: {}",
            k.id,
            k.example
        );
    }
}

#[test]
fn docs_rules_are_up_to_date() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let kinds = agentgate::library::kinds();
    let mut want: Vec<(String, String)> = kinds
        .iter()
        .map(|k| (format!("{}.md", k.id), agentgate::library::doc_page(k)))
        .collect();
    want.push(("README.md".into(), agentgate::library::doc_index(&kinds)));
    if std::env::var_os("AGENTGATE_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &want {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    for (name, text) in &want {
        let have = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert_eq!(
            &have, text,
            "docs/rules/{name} is stale: run `AGENTGATE_UPDATE_DOCS=1 cargo test --test library`"
        );
    }
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(
        files,
        want.len(),
        "docs/rules/ has files no rule kind generates"
    );
}
