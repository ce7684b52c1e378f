//! Text the plan writes for people: commit messages, pull request and issue titles and bodies,
//! comments, branch names — and the requirements a `message` rule puts on them.

use serde::{Deserialize, Serialize};

use crate::command::Invocation;
use crate::ir::{Action, TextPart, TextRule};

/// The text of one action, as far as its command shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionText {
    /// A commit's first line, a pull request's or issue's title, a branch's name.
    pub title: Option<String>,
    /// A commit's further lines, a pull request's, issue's or comment's body.
    pub body: Option<String>,
    /// The body comes from somewhere the plan does not show (`--body-file`, `-F`, an editor).
    pub body_unknown: bool,
}

/// The text an invocation writes for an action, when the command shows it.
pub fn of(action: Action, inv: &Invocation, target: Option<&str>) -> Option<ActionText> {
    let args = &inv.args;
    let value = |names: &[&str]| -> Option<String> {
        let mut out: Vec<String> = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            if names.contains(&a.as_str()) {
                if let Some(v) = args.get(i + 1) {
                    out.push(v.clone());
                }
                i += 2;
                continue;
            }
            if let Some((k, v)) = a.split_once('=') {
                if names.contains(&k) {
                    out.push(v.to_string());
                }
            }
            i += 1;
        }
        (!out.is_empty()).then(|| out.join("\n\n"))
    };
    match action {
        Action::Commit => {
            // `-m msg`, `--message msg`, and short flags ending in `m` (`-am msg`).
            let mut parts: Vec<String> = Vec::new();
            let mut i = 0;
            while i < args.len() {
                let a = &args[i];
                let takes = a == "-m"
                    || a == "--message"
                    || a.starts_with('-')
                        && !a.starts_with("--")
                        && a.len() > 2
                        && a.ends_with('m');
                if takes {
                    if let Some(v) = args.get(i + 1) {
                        parts.push(v.clone());
                    }
                    i += 2;
                    continue;
                }
                if let Some(v) = a.strip_prefix("--message=") {
                    parts.push(v.to_string());
                }
                i += 1;
            }
            if parts.is_empty() {
                return None;
            }
            // `-s`/`--signoff`: git writes the `Signed-off-by:` trailer itself.
            let signoff = args.iter().take_while(|a| *a != "--").any(|a| {
                a == "--signoff"
                    || a.starts_with('-')
                        && !a.starts_with("--")
                        && a[1..].chars().all(|c| c.is_ascii_alphabetic())
                        && a[1..].split('m').next().is_some_and(|f| f.contains('s'))
            });
            if signoff {
                parts.push("Signed-off-by: (git signoff)".into());
            }
            let all = parts.join("\n\n");
            let (title, rest) = match all.split_once('\n') {
                Some((t, r)) => (t.to_string(), Some(r.trim().to_string())),
                None => (all.clone(), None),
            };
            Some(ActionText {
                title: Some(title),
                body: rest.filter(|r| !r.is_empty()),
                body_unknown: false,
            })
        }
        Action::PullRequest | Action::ReadyPullRequest | Action::Issue | Action::Comment => {
            let title = value(&["--title", "-t"]);
            let body = value(&["--body", "-b"]);
            let unknown = args
                .iter()
                .any(|a| a.starts_with("--body-file") || a == "-F" || a == "--fill" || a == "-f");
            (title.is_some() || body.is_some()).then_some(ActionText {
                title,
                body,
                body_unknown: unknown,
            })
        }
        Action::Branch => target.map(|t| ActionText {
            title: Some(t.to_string()),
            body: None,
            body_unknown: false,
        }),
        _ => None,
    }
}

/// Names of AI agents, models and tools, as they appear in credits.
const AI_NAMES: &[&str] = &[
    "claude",
    "anthropic",
    "gpt",
    "chatgpt",
    "openai",
    "codex",
    "copilot",
    "gemini",
    "cursor",
    "devin",
    "aider",
    "llama",
    "mistral",
    "deepseek",
    "qwen",
    "grok",
    " ai ",
    "ai <",
    "(ai)",
    "bot]",
    "noreply@anthropic.com",
];

/// Letters of scripts other than Latin: text written in another language.
fn foreign(c: char) -> bool {
    matches!(c as u32,
        0x0370..=0x03FF   // Greek
        | 0x0400..=0x052F // Cyrillic
        | 0x0590..=0x06FF // Hebrew, Arabic
        | 0x0900..=0x0DFF // Indic
        | 0x0E00..=0x0EFF // Thai, Lao
        | 0x1100..=0x11FF // Hangul Jamo
        | 0x3040..=0x30FF // Hiragana, Katakana
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF // CJK
        | 0xAC00..=0xD7AF // Hangul
    )
}

/// Why a text breaks the requirement, or None when it meets it (or cannot be seen).
pub fn violation(rule: &TextRule, part: TextPart, text: &ActionText) -> Option<String> {
    let title = text.title.as_deref();
    let known: Vec<&str> = match part {
        TextPart::Title => title.into_iter().collect(),
        TextPart::All => title.into_iter().chain(text.body.as_deref()).collect(),
    };
    let complete = match part {
        TextPart::Title => title.is_some(),
        TextPart::All => title.is_some() && !text.body_unknown,
    };
    match rule {
        TextRule::Contains(want) => {
            let w = want.trim_end_matches(':').to_lowercase();
            let found = known.iter().any(|t| t.to_lowercase().contains(&w));
            (!found && complete).then(|| format!("does not include `{want}`"))
        }
        TextRule::Excludes(unwanted) => {
            let w = unwanted.trim_end_matches(':').to_lowercase();
            known
                .iter()
                .flat_map(|k| k.lines())
                // The sign-off `git commit -s` adds is git's, not written into the message.
                .filter(|line| !line.ends_with("(git signoff)"))
                .find(|line| line.to_lowercase().contains(&w))
                .map(|line| format!("includes `{}`", line.trim()))
        }
        TextRule::NoAiCredit(trailer) => {
            let t = trailer.trim_end_matches(':').to_lowercase();
            known.iter().flat_map(|k| k.lines()).find_map(|line| {
                let l = line.to_lowercase();
                let credit = l.trim_start().starts_with(&t);
                let padded = format!(" {} ", l.replace(['<', '>'], " "));
                (credit && AI_NAMES.iter().any(|n| padded.contains(n)))
                    .then(|| format!("credits an AI tool: `{}`", line.trim()))
            })
        }
        TextRule::English => known
            .iter()
            .find(|t| t.chars().any(foreign))
            .map(|t| format!("is not written in English: `{}`", first_line(t))),
        TextRule::Template(templates) => {
            let t = title?;
            (!templates.iter().any(|p| template_matches(p, t))).then(|| {
                format!(
                    "`{t}` does not follow {}",
                    templates
                        .iter()
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                )
            })
        }
        TextRule::MaxLength(max) => {
            let t = first_line(title?);
            let n = t.chars().count();
            (n > *max).then(|| format!("`{t}` is {n} characters long, more than {max}"))
        }
        TextRule::Prefix(prefixes) => {
            let t = title?;
            (!prefixes.iter().any(|p| t.starts_with(p.as_str()))).then(|| {
                format!(
                    "`{t}` does not start with {}",
                    prefixes
                        .iter()
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                )
            })
        }
    }
}

fn first_line(t: &str) -> &str {
    t.lines().next().unwrap_or(t)
}

/// The Conventional Commits header whose scope is required ("Scope is required for all
/// commits").
pub const SCOPED: &str = "<type>(<scope, required>): <subject>";

/// Whether a title follows a template: the template's punctuation (`:`, `(`, `)`, `!`, `/`,
/// `*`, `[`, `]`) must appear in order, each word of it stands for any text.
pub fn template_matches(template: &str, title: &str) -> bool {
    // The punctuation that shapes the template, outside placeholders like `<scope>` or `[, b]`.
    let mut shape: Vec<char> = Vec::new();
    let mut depth = 0;
    for c in template.chars() {
        match c {
            '<' | '[' => depth += 1,
            '>' | ']' => depth -= 1,
            ':' | '(' | ')' | '/' if depth == 0 => shape.push(c),
            _ => {}
        }
    }
    if shape.is_empty() {
        return true;
    }
    // Conventional Commits without a scope: `feat: x`, not `feat(cli): x`.
    if template == "<type>: <subject>" {
        let Some((head, rest)) = title.split_once(':') else {
            return false;
        };
        let ty = head.trim_end_matches('!');
        return !ty.is_empty()
            && ty.chars().all(|c| c.is_ascii_lowercase())
            && !rest.trim().is_empty();
    }
    // Conventional Commits whose scope is required: `feat(cli): x`, not `feat: x`.
    if template == SCOPED {
        let Some((head, rest)) = title.split_once(':') else {
            return false;
        };
        let head = head.trim_end_matches('!');
        let Some((ty, scope)) = head.split_once('(') else {
            return false;
        };
        return !ty.is_empty()
            && ty.chars().all(|c| c.is_ascii_lowercase())
            && scope
                .strip_suffix(')')
                .is_some_and(|s| !s.trim().is_empty())
            && !rest.trim().is_empty();
    }
    // In a Conventional Commits header the scope is optional: `feat: x` and `feat(cli): x`.
    if template.starts_with("<type>(<scope>)") {
        let head = title.split(':').next().unwrap_or("");
        let ty = head.split(['(', '!']).next().unwrap_or("");
        return title.contains(':')
            && !ty.is_empty()
            && ty.chars().all(|c| c.is_ascii_lowercase())
            && !title[head.len() + 1..].trim().is_empty();
    }
    let literal_star = template.trim_start().starts_with('*');
    if literal_star && !title.trim_start().starts_with('*') {
        // `*: what is changed` is one of several shapes; it needs the star itself.
        return false;
    }
    let mut rest = title;
    for (k, c) in shape.into_iter().enumerate() {
        match rest.find(c) {
            // Something must stand before the first mark (`feat: x`, not `: x`).
            Some(0) if k == 0 => return false,
            Some(k) => rest = &rest[k + c.len_utf8()..],
            None => return false,
        }
    }
    !rest.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(title: &str, body: Option<&str>) -> ActionText {
        ActionText {
            title: Some(title.into()),
            body: body.map(str::to_string),
            body_unknown: false,
        }
    }

    #[test]
    fn trailers_and_credits() {
        let r = TextRule::Contains("Co-Authored-By".into());
        assert!(violation(&r, TextPart::All, &t("Fix x", None)).is_some());
        assert!(violation(
            &r,
            TextPart::All,
            &t("Fix x", Some("Co-authored-by: A <a@b>"))
        )
        .is_none());
        let r = TextRule::NoAiCredit("co-authored-by".into());
        assert!(violation(
            &r,
            TextPart::All,
            &t("x", Some("Co-authored-by: Claude <noreply@anthropic.com>"))
        )
        .is_some());
        assert!(violation(
            &r,
            TextPart::All,
            &t("x", Some("Co-authored-by: Ada Lovelace <ada@x.org>"))
        )
        .is_none());
    }

    #[test]
    fn english_and_shapes() {
        assert!(violation(
            &TextRule::English,
            TextPart::All,
            &t("プレハブを修正", None)
        )
        .is_some());
        assert!(violation(&TextRule::English, TextPart::All, &t("Fix café", None)).is_none());
        assert!(template_matches(
            "<type>(<scope>): <subject>",
            "feat(cli): add x"
        ));
        assert!(!template_matches("<type>(<scope>): <subject>", "add x"));
        assert!(template_matches(SCOPED, "fix(vite): wait"));
        assert!(template_matches(SCOPED, "feat(cli)!: drop x"));
        assert!(!template_matches(SCOPED, "fix: wait"));
        assert!(!template_matches(SCOPED, "fix(): wait"));
        assert!(!template_matches(SCOPED, "Fix(vite): wait"));
        assert!(template_matches(
            "pkg [, pkg2, pkg3]: what is changed",
            "executor: fix panic"
        ));
        assert!(!template_matches(
            "pkg [, pkg2, pkg3]: what is changed",
            "Fix panic in join"
        ));
        assert!(!template_matches("*: what is changed", "executor: fix"));
        let r = TextRule::MaxLength(10);
        assert!(violation(&r, TextPart::Title, &t("Fix it", None)).is_none());
        assert!(violation(&r, TextPart::Title, &t("Fix the parser at last", None)).is_some());
        assert!(violation(
            &r,
            TextPart::Title,
            &t("Fix it\n\nA longer body line", None)
        )
        .is_none());
        let r = TextRule::Prefix(vec!["feature/".into()]);
        assert!(violation(&r, TextPart::Title, &t("fix-typo", None)).is_some());
        assert!(violation(&r, TextPart::Title, &t("feature/csv", None)).is_none());
    }
}
