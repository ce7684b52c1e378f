//! `grammar/vocabulary.toml` is the vocabulary's source; every process needs it, so it is turned
//! into JSON here once (parsing the TOML cost about a tenth of a one-tool-call check).

use std::path::PathBuf;

fn main() {
    let src = "grammar/vocabulary.toml";
    println!("cargo::rerun-if-changed={src}");
    let text = std::fs::read_to_string(src).unwrap_or_else(|e| panic!("reading {src}: {e}"));
    let value: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{src}: {e}"));
    let json = serde_json::to_string(&value).expect("a TOML value serialises as JSON");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("vocabulary.json"), json).expect("writing OUT_DIR/vocabulary.json");
}
