//! `agentgate init`: a starter AGENTS.md, the pre-commit configuration and a CI workflow,
//! never overwriting a file that exists.

use std::path::Path;

use super::exit;
use crate::Error;

const AGENTS_MD: &str = "# Rules for AI coding agents

These rules are enforced by agentgate (`agentgate check`); `agentgate lint` lists what it
does not enforce.

- Agents MUST NOT modify `AGENTS.md` or `.github/workflows/**`.
- Never read `.env` or any `.env.*` file.
- Never force push.
- Never skip hooks (`--no-verify`).
- Ask before adding dependencies.
- Agents MUST NOT delete more than 20 files.
";

const PRE_COMMIT: &str =
    "# pre-commit configuration: agentgate checks each staged change against AGENTS.md.
repos:
  - repo: https://github.com/agentgate/agentgate
    rev: v0.1.0
    hooks:
      - id: agentgate
";

const WORKFLOW: &str = include_str!("../../docs/agentgate-workflow.yml");

/// Files `init` writes, relative to the root.
pub const FILES: [(&str, &str); 3] = [
    ("AGENTS.md", AGENTS_MD),
    (".pre-commit-config.yaml", PRE_COMMIT),
    (".github/workflows/agentgate.yml", WORKFLOW),
];

pub fn run(root: &Path) -> Result<u8, Error> {
    for (rel, text) in FILES {
        let path = root.join(rel);
        if path.exists() {
            println!("kept     {rel} (exists)");
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::Init {
                path: rel.to_string(),
                message: e.to_string(),
            })?;
        }
        std::fs::write(&path, text).map_err(|e| Error::Init {
            path: rel.to_string(),
            message: e.to_string(),
        })?;
        println!("created  {rel}");
    }
    println!("next: edit AGENTS.md, run `agentgate lint`, then `pre-commit install`");
    Ok(exit::ALLOW)
}
