//! `grammar/vocabulary.toml` is the vocabulary's source; every process needs it, so it is turned
//! into JSON here once (parsing the TOML cost about a tenth of a one-tool-call check).

use std::path::PathBuf;

fn main() {
    let src = "grammar/vocabulary.toml";
    let langs = "grammar/languages.toml";
    println!("cargo::rerun-if-changed={src}");
    println!("cargo::rerun-if-changed={langs}");
    let read = |f: &str| -> toml::Value {
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("reading {f}: {e}"));
        toml::from_str(&text).unwrap_or_else(|e| panic!("{f}: {e}"))
    };
    let mut value = read(src);
    // The other languages ride along under `lang` and `unread`.
    if let (toml::Value::Table(v), toml::Value::Table(l)) = (&mut value, read(langs)) {
        for (k, x) in l {
            v.insert(k, x);
        }
    }
    let json = serde_json::to_string(&value).expect("a TOML value serialises as JSON");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("vocabulary.json"), json).expect("writing OUT_DIR/vocabulary.json");
}
