use super::*;
use EffectKind::{Delete, Read, Write};

fn ok(command: &str) -> Analysis {
    analyze(command).unwrap_or_else(|e| panic!("`{command}` should parse: {e}"))
}

fn programs(analysis: &Analysis) -> Vec<&str> {
    analysis
        .invocations
        .iter()
        .map(|inv| inv.program.as_str())
        .collect()
}

fn effects(command: &str) -> Vec<(EffectKind, String)> {
    ok(command)
        .effects
        .into_iter()
        .map(|e| (e.kind, e.path))
        .collect()
}

fn fx(list: &[(EffectKind, &str)]) -> Vec<(EffectKind, String)> {
    list.iter()
        .map(|(kind, path)| (*kind, (*path).to_owned()))
        .collect()
}

/// The only invocation of a command.
fn single(command: &str) -> Invocation {
    let analysis = ok(command);
    assert_eq!(analysis.invocations.len(), 1, "`{command}`: {analysis:#?}");
    assert!(
        analysis.opaque.is_empty(),
        "`{command}`: {:?}",
        analysis.opaque
    );
    analysis.invocations.into_iter().next().unwrap()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn plain_command() {
    let inv = single("git push --force origin main");
    assert_eq!(
        inv,
        Invocation {
            program: "git".into(),
            args: strings(&["push", "--force", "origin", "main"]),
            env: vec![],
            background: false,
            cwd: Some(String::new()),
            wrappers: vec![],
        }
    );
}

#[test]
fn respelled_program_names() {
    for command in [
        "'git' push",
        "g\"i\"t push",
        "/usr/bin/git push",
        "\\git push",
        "g''it push",
        "$'\\x67it' push",
        "$'\\147it' push",
        "\"$HOME/bin/git\" push",
        "~/bin/git push",
        "./node_modules/.bin/../../git push",
    ] {
        let inv = single(command);
        assert_eq!(
            (inv.program.as_str(), inv.args),
            ("git", strings(&["push"])),
            "{command}"
        );
    }
}

#[test]
fn quoted_arguments_stay_whole() {
    assert_eq!(
        single("git commit -m \"push it\"").args,
        strings(&["commit", "-m", "push it"])
    );
    assert_eq!(
        single("echo 'a b' \"c $X d\" e\\ f").args,
        strings(&["a b", "c $X d", "e f"])
    );
    assert_eq!(
        single("echo \"a\\\"b\" \"\\d\"").args,
        strings(&["a\"b", "\\d"])
    );
}

#[test]
fn assignments() {
    let inv = single("FOO=1 git push");
    assert_eq!(
        (inv.program.as_str(), inv.env),
        ("git", vec![("FOO".into(), "1".into())])
    );
    let inv = single("env -i FOO=1 git push");
    assert_eq!(inv.env, vec![("FOO".into(), "1".into())]);
    assert_eq!(inv.wrappers, strings(&["env"]));
    let inv = single("A='x y' env -u B C=2 git push");
    assert_eq!(
        inv.env,
        vec![("A".into(), "x y".into()), ("C".into(), "2".into())]
    );
    let analysis = ok("X=1");
    assert!(analysis.invocations.is_empty() && analysis.effects.is_empty());
}

#[test]
fn env_assignments_after_options() {
    let inv = single("env -u B C=2 git push");
    assert_eq!(
        (inv.program.as_str(), inv.env),
        ("git", vec![("C".into(), "2".into())])
    );
}

#[test]
fn sudo_and_friends() {
    let analysis = ok("sudo -u root rm -rf docs/SSOT");
    assert_eq!(programs(&analysis), ["rm"]);
    assert_eq!(analysis.invocations[0].wrappers, strings(&["sudo"]));
    assert_eq!(
        analysis.effects,
        vec![FileEffect {
            kind: Delete,
            path: "docs/SSOT".into(),
            invocation: Some(0)
        }]
    );

    let inv = single("timeout 60 terraform apply");
    assert_eq!(
        (inv.program.as_str(), inv.args, inv.wrappers),
        ("terraform", strings(&["apply"]), strings(&["timeout"]))
    );
    let inv = single("nice -n 5 nohup kubectl delete pod x");
    assert_eq!(
        (inv.program.as_str(), inv.wrappers),
        ("kubectl", strings(&["nice", "nohup"]))
    );
    let inv = single("timeout --signal=KILL -k 5 1m sudo -E VAR=1 stdbuf -o0 chronic git push");
    assert_eq!(inv.program, "git");
    assert_eq!(
        inv.wrappers,
        strings(&["timeout", "sudo", "stdbuf", "chronic"])
    );
    assert_eq!(inv.env, vec![("VAR".into(), "1".into())]);
    for (command, wrapper) in [
        ("command git push", "command"),
        ("exec git push", "exec"),
        ("doas -u root git push", "doas"),
        ("builtin git push", "builtin"),
        ("setsid git push", "setsid"),
        ("sudo -- git push", "sudo"),
        ("nice -5 git push", "nice"),
        ("time git push", "time"),
        ("time -p git push", "time"),
        ("sudo time -o t.txt git push", "time"),
    ] {
        let inv = single(command);
        assert_eq!(inv.program, "git", "{command}");
        assert!(
            inv.wrappers.contains(&wrapper.to_owned()),
            "{command}: {:?}",
            inv.wrappers
        );
    }
}

#[test]
fn wrappers_that_run_nothing_are_the_program() {
    assert_eq!(single("command -v git").program, "command");
    assert_eq!(single("sudo -l").program, "sudo");
    assert_eq!(single("env").program, "env");
    assert_eq!(single("xargs").program, "xargs");
}

#[test]
fn xargs_and_find() {
    let analysis = ok("xargs rm < list.txt");
    assert_eq!(programs(&analysis), ["rm"]);
    assert_eq!(analysis.invocations[0].wrappers, strings(&["xargs"]));
    assert_eq!(
        analysis.effects,
        vec![FileEffect {
            kind: Read,
            path: "list.txt".into(),
            invocation: Some(0)
        }]
    );
    assert_eq!(single("xargs -0 -n 1 -I {} git rm {}").program, "git");
    assert_eq!(
        effects("xargs -a files.txt cat"),
        fx(&[(Read, "files.txt")])
    );

    let analysis = ok("find . -name '*.rs' -exec rm {} \\;");
    assert_eq!(programs(&analysis), ["find", "rm"]);
    assert_eq!(
        analysis.invocations[0].args,
        strings(&[".", "-name", "*.rs", "-exec", "rm", "{}", ";"])
    );
    assert_eq!(analysis.invocations[1].wrappers, strings(&["find -exec"]));
    let analysis = ok("find src docs -type f -execdir sed -i s/a/b/ {} + -exec cat {} ';'");
    assert_eq!(programs(&analysis), ["find", "sed", "cat"]);
    assert_eq!(
        effects("find docs -exec rm {} \\;"),
        fx(&[(Delete, "docs")])
    );
    assert_eq!(
        effects("find docs/old -name x -delete"),
        fx(&[(Delete, "docs/old")])
    );
    let analysis = ok("find . -exec sh -c 'git push' \\;");
    assert_eq!(programs(&analysis), ["find", "git"]);
    assert_eq!(
        analysis.invocations[1].wrappers,
        strings(&["find -exec", "sh -c"])
    );
}

#[test]
fn shell_scripts_are_analysed() {
    let inv = single("bash -c 'git push -f'");
    assert_eq!(
        (inv.program.as_str(), inv.args, inv.wrappers),
        ("git", strings(&["push", "-f"]), strings(&["bash -c"]))
    );
    let analysis = ok("bash -lc \"cd app && rm -rf build\"");
    assert_eq!(programs(&analysis), ["cd", "rm"]);
    assert_eq!(analysis.invocations[1].cwd.as_deref(), Some("app"));
    assert_eq!(
        analysis.effects,
        vec![FileEffect {
            kind: Delete,
            path: "app/build".into(),
            invocation: Some(1)
        }]
    );
    for command in [
        "sh -c 'git push'",
        "zsh -c 'git push'",
        "dash -c 'git push'",
        "bash -x -o pipefail -c 'git push'",
        "bash +x -ec 'git push' name arg",
    ] {
        assert_eq!(single(command).program, "git", "{command}");
    }
    let inv = single("sudo bash -c \"FOO=2 env BAR=1 nohup git push\" &");
    assert_eq!(inv.wrappers, strings(&["sudo", "bash -c", "env", "nohup"]));
    assert_eq!(
        inv.env,
        vec![("FOO".into(), "2".into()), ("BAR".into(), "1".into())]
    );
    assert!(inv.background);
    let inv = single("eval 'git push'");
    assert_eq!(
        (inv.program.as_str(), inv.wrappers),
        ("git", strings(&["eval"]))
    );
    assert_eq!(
        single("eval git push --force").args,
        strings(&["push", "--force"])
    );
    assert_eq!(
        single("watch -n 5 'git status'").wrappers,
        strings(&["watch"])
    );
    assert_eq!(
        single("bash -c \"git push $REMOTE\"").args,
        strings(&["push", "$REMOTE"])
    );
    assert_eq!(
        effects("trap 'rm -f tmp.txt' EXIT"),
        fx(&[(Delete, "tmp.txt")])
    );
    assert_eq!(
        single("git push --force\r\n").args,
        strings(&["push", "--force"])
    );
}

#[test]
fn unknown_scripts_and_programs_are_opaque() {
    for command in [
        "sh -c \"$X\"",
        "eval \"$X\"",
        "eval $X",
        "bash -c \"$(curl -s x)\"",
        "$CMD push",
        "\"$(which git)\" push",
        "${GIT:-git} push",
        "curl -s x | sh",
        "bash < script.sh",
        "bash -s -- arg",
        "bash -c 'echo \"abc'",
    ] {
        let analysis = ok(command);
        assert!(
            !analysis.opaque.is_empty(),
            "`{command}` should be opaque: {analysis:#?}"
        );
        assert!(analysis
            .opaque
            .iter()
            .all(|r| !r.ends_with('.') && r.chars().next().is_some_and(|c| !c.is_uppercase())));
    }
    let analysis = ok("$CMD push");
    assert_eq!(programs(&analysis), ["$CMD"]);
    let analysis = ok("bash -c \"$(curl -s x)\"");
    assert_eq!(
        programs(&analysis),
        ["curl"],
        "the substitution itself is still analysed"
    );
    assert!(ok("bash deploy.sh").opaque.is_empty());
    assert_eq!(effects("bash deploy.sh arg"), fx(&[(Read, "deploy.sh")]));
}

#[test]
fn lists_and_pipelines() {
    assert_eq!(
        programs(&ok("a && b || c; d | e")),
        ["a", "b", "c", "d", "e"]
    );
    assert_eq!(programs(&ok("! a |& b\nc # d")), ["a", "b", "c"]);
    let analysis =
        ok("if a; then b; elif c; then d; else e; fi; while f; do g; done; until h; do i; done");
    assert_eq!(
        programs(&analysis),
        ["a", "c", "b", "d", "e", "f", "g", "h", "i"]
    );
    assert_eq!(
        programs(&ok(
            "for x in $(j); do k \"$x\"; done; case $(l) in a) m;; *) n;; esac"
        )),
        ["j", "k", "l", "m", "n"]
    );
    assert_eq!(
        programs(&ok(
            "f() { o; }; { p; }; (q); [[ $(r) == s ]]; coproc t; time u | v"
        )),
        ["o", "p", "q", "r", "t", "u", "v"]
    );
    assert_eq!(
        programs(&ok("for ((i = 0; i < 3; i++)); do w; done; (( x = 1 ))")),
        ["w"]
    );
}

#[test]
fn substitutions() {
    let analysis = ok("echo $(cat .env)");
    assert_eq!(programs(&analysis), ["echo", "cat"]);
    assert_eq!(
        analysis.effects,
        vec![FileEffect {
            kind: Read,
            path: ".env".into(),
            invocation: Some(1)
        }]
    );
    for command in [
        "echo `cat .env`",
        "echo \"x $(cat .env) y\"",
        "X=$(cat .env)",
        "echo ${X:-$(cat .env)}",
        "diff <(cat .env) b",
        "cat <<EOF\n$(cat .env)\nEOF",
        "cat <<< \"$(cat .env)\"",
        "export X=\"$(cat .env)\"",
        "sudo rm $(cat .env)",
    ] {
        let analysis = ok(command);
        assert!(
            analysis
                .invocations
                .iter()
                .any(|inv| inv.program == "cat" && inv.args == [".env"]),
            "{command}: {analysis:#?}"
        );
        assert!(
            analysis.effects.iter().any(|e| e
                == &FileEffect {
                    kind: Read,
                    path: ".env".into(),
                    invocation: e.invocation
                }),
            "{command}"
        );
    }
    let analysis = ok("sudo rm $(cat list)");
    assert!(
        analysis.invocations[1].wrappers.is_empty(),
        "the substitution runs in the calling shell"
    );
    assert!(
        programs(&ok("cat <<'EOF'\n$(rm -rf x)\nEOF")).eq(&["cat"]),
        "quoted here-docs do not expand"
    );
    assert_eq!(
        programs(&ok("echo $(echo $(echo $(git push)))")),
        ["echo", "echo", "echo", "git"]
    );
}

#[test]
fn working_directory() {
    let analysis = ok("(cd docs && rm x); rm y");
    assert_eq!(
        effects("(cd docs && rm x); rm y"),
        fx(&[(Delete, "docs/x"), (Delete, "y")])
    );
    assert_eq!(
        analysis.invocations[0].cwd.as_deref(),
        Some(""),
        "cd itself runs where the string starts"
    );
    let cwds = |command: &str| {
        ok(command)
            .invocations
            .into_iter()
            .map(|inv| inv.cwd)
            .collect::<Vec<_>>()
    };
    let s = |x: &str| Some(x.to_owned());
    assert_eq!(cwds("cd backend && make test"), [s(""), s("backend")]);
    assert_eq!(
        cwds("cd a/./b/ ; cd ../c; cd ../..; cd ..; ls"),
        [s(""), s("a/b"), s("a/c"), s(""), s("..")]
    );
    assert_eq!(cwds("cd /abs && ls"), [s(""), None]);
    assert_eq!(cwds("cd $X && ls"), [s(""), None]);
    assert_eq!(cwds("cd && ls; cd - ; ls"), [s(""), None, None, None]);
    assert_eq!(
        cwds("pushd a && pushd b && ls && popd && ls && popd && ls"),
        [s(""), s("a"), s("a/b"), s("a/b"), s("a"), s("a"), s("")]
    );
    assert_eq!(cwds("cd a | ls; cd b & ls"), [s(""), s(""), s(""), s("")]);
    assert_eq!(
        cwds("bash -c 'cd a'; ls; eval 'cd b'; ls"),
        [s(""), s(""), s(""), s("b")]
    );
    assert_eq!(
        cwds("if x; then cd a; else cd b; fi; ls"),
        [s(""), s(""), s(""), None]
    );
    assert_eq!(
        cwds("if x; then cd a; else cd a; fi; ls"),
        [s(""), s(""), s(""), s("a")]
    );
    assert_eq!(cwds("echo $(cd a) && ls"), [s(""), s(""), s("")]);
    assert_eq!(
        cwds("cd \"$(git rev-parse --show-toplevel)\" && make"),
        [s(""), s(""), None]
    );
    assert_eq!(
        effects("cd backend && rm x ../y /abs/z $V/w"),
        fx(&[
            (Delete, "backend/x"),
            (Delete, "backend/../y"),
            (Delete, "/abs/z"),
            (Delete, "$V/w")
        ])
    );
    assert_eq!(
        effects("cd /tmp && rm x"),
        fx(&[(Delete, "x")]),
        "unknown directory: the path as written"
    );
    assert_eq!(
        effects("cd a > log && cat < in"),
        fx(&[(Write, "log"), (Read, "a/in")])
    );
}

#[test]
fn redirections() {
    assert_eq!(effects("cat < .env"), fx(&[(Read, ".env")]));
    assert_eq!(
        effects("echo hi > docs/SSOT/x.md"),
        fx(&[(Write, "docs/SSOT/x.md")])
    );
    assert_eq!(
        effects("a >> b 2> c &> d &>> e 3>f >| g <> h >& i"),
        fx(&[
            (Write, "b"),
            (Write, "c"),
            (Write, "d"),
            (Write, "e"),
            (Write, "f"),
            (Write, "g"),
            (Write, "h"),
            (Write, "i")
        ])
    );
    assert!(
        effects("a 2>&1 >&2 >/dev/null 2>/dev/stderr >/dev/stdout <&0 3>&- <<EOF\nbody\nEOF")
            .is_empty()
    );
    let analysis = ok("{ a; b; } > out.txt; (c) < in");
    assert_eq!(
        analysis.effects[0],
        FileEffect {
            kind: Write,
            path: "out.txt".into(),
            invocation: None
        }
    );
    assert_eq!(
        analysis.effects[1],
        FileEffect {
            kind: Read,
            path: "in".into(),
            invocation: None
        }
    );
    assert!(ok("X=1 > f").effects.iter().all(|e| e.invocation.is_none()));
    assert_eq!(ok("bash -c 'git push' > log").effects[0].invocation, None);
}

#[test]
fn arguments_of_echo_and_unknown_programs_are_not_files() {
    for command in [
        "echo docs/SSOT/x",
        "printf '%s' .env",
        "ls .env",
        "stat .env",
        "test -f .env",
        "[ -f .env ]",
        "make clean build",
        "cargo test --manifest-path x/Cargo.toml",
        "git push origin main",
        "git checkout main",
    ] {
        assert!(effects(command).is_empty(), "{command}");
    }
}

#[test]
fn deleting() {
    assert_eq!(
        effects("rm -rf -- a -b"),
        fx(&[(Delete, "a"), (Delete, "-b")])
    );
    assert_eq!(
        effects("rmdir d; unlink l; shred -n 3 s"),
        fx(&[(Delete, "d"), (Delete, "l"), (Delete, "s")])
    );
    assert_eq!(
        effects("git rm -r --quiet a b"),
        fx(&[(Delete, "a"), (Delete, "b")])
    );
    assert!(effects("git rm --cached a").is_empty());
    assert_eq!(effects("git -C sub clean -fdx"), fx(&[(Delete, "sub/.")]));
}

#[test]
fn copying_and_moving() {
    assert_eq!(
        effects("cp .env /tmp/x"),
        fx(&[(Read, ".env"), (Write, "/tmp/x")])
    );
    assert_eq!(
        effects("mv a.rs b.rs"),
        fx(&[(Delete, "a.rs"), (Write, "b.rs")])
    );
    assert!(effects("mv a.rs dir/").contains(&(Write, "dir/a.rs".to_owned())));
    assert_eq!(
        effects("mv a.rs dir/"),
        fx(&[(Delete, "a.rs"), (Write, "dir/"), (Write, "dir/a.rs")])
    );
    assert_eq!(
        effects("cp -r a src/b dst"),
        fx(&[
            (Read, "a"),
            (Read, "src/b"),
            (Write, "dst"),
            (Write, "dst/a"),
            (Write, "dst/b")
        ])
    );
    assert_eq!(
        effects("mv -t dst a b/"),
        fx(&[
            (Delete, "a"),
            (Delete, "b/"),
            (Write, "dst/a"),
            (Write, "dst/b")
        ])
    );
    assert_eq!(
        effects("cp --target-directory=dst a"),
        fx(&[(Read, "a"), (Write, "dst/a")])
    );
    assert_eq!(
        effects("install -m 755 bin /usr/local/bin/x"),
        fx(&[(Read, "bin"), (Write, "/usr/local/bin/x")])
    );
    assert_eq!(
        effects("rsync -av --exclude target src/ backup/"),
        fx(&[(Read, "src/"), (Write, "backup/"), (Write, "backup/src")])
    );
    assert_eq!(effects("ln -sf target link"), fx(&[(Write, "link")]));
    assert_eq!(effects("git mv a b"), fx(&[(Delete, "a"), (Write, "b")]));
}

#[test]
fn writing() {
    assert_eq!(
        effects("touch a; mkdir -p -m 700 b; truncate -s 0 c"),
        fx(&[(Write, "a"), (Write, "b"), (Write, "c")])
    );
    assert_eq!(
        effects("echo x | tee -a log.txt other"),
        fx(&[(Write, "log.txt"), (Write, "other")])
    );
    assert_eq!(
        effects("dd if=/dev/zero of=disk.img bs=1M"),
        fx(&[(Read, "/dev/zero"), (Write, "disk.img")])
    );
    assert_eq!(effects("sed -i 's/a/b/' f.txt"), fx(&[(Write, "f.txt")]));
    assert_eq!(
        effects("sed -i.bak -e 's/a/b/' -e 's/c/d/' f g"),
        fx(&[(Write, "f"), (Write, "g")])
    );
    assert_eq!(effects("sed -i '' 's/a/b/' f"), fx(&[(Write, "f")]));
    assert_eq!(effects("sed -n 's/a/b/p' f"), fx(&[(Read, "f")]));
    assert_eq!(effects("perl -pi -e 's/a/b/' f"), fx(&[(Write, "f")]));
    assert!(effects("perl script.pl arg").is_empty());
    assert_eq!(
        effects("chmod 644 a; chmod -x b; chmod u+x c; chown -R me:me d; chgrp staff e"),
        fx(&[
            (Write, "a"),
            (Write, "b"),
            (Write, "c"),
            (Write, "d"),
            (Write, "e")
        ])
    );
    assert_eq!(
        effects("patch file.c fix.diff; patch -p1 -i fix.diff target.c"),
        fx(&[
            (Write, "file.c"),
            (Read, "fix.diff"),
            (Read, "fix.diff"),
            (Write, "target.c")
        ])
    );
    assert_eq!(
        effects("git checkout -- a b; git restore --source HEAD c; git checkout ."),
        fx(&[(Write, "a"), (Write, "b"), (Write, "c"), (Write, ".")])
    );
    assert_eq!(
        effects("vim +10 a; vi b; nano c; emacs -nw d; code ."),
        fx(&[
            (Write, "a"),
            (Write, "b"),
            (Write, "c"),
            (Write, "d"),
            (Write, ".")
        ])
    );
    assert_eq!(
        effects("sort -o out in; uniq in2 out2"),
        fx(&[(Write, "out"), (Read, "in"), (Read, "in2"), (Write, "out2")])
    );
    assert_eq!(
        effects("curl -sSLo out.tgz https://x; wget -O page.html https://y"),
        fx(&[(Write, "out.tgz"), (Write, "page.html")])
    );
}

#[test]
fn reading() {
    assert_eq!(effects("grep -r secret .env"), fx(&[(Read, ".env")]));
    assert_eq!(
        effects("grep -e a -e b f g; rg -n TODO src; grep -f pats.txt h"),
        fx(&[
            (Read, "f"),
            (Read, "g"),
            (Read, "src"),
            (Read, "pats.txt"),
            (Read, "h")
        ])
    );
    assert_eq!(
        effects("cat a -; head -n 5 b; tail -f -n 20 c; less +F d; more e"),
        fx(&[
            (Read, "a"),
            (Read, "b"),
            (Read, "c"),
            (Read, "d"),
            (Read, "e")
        ])
    );
    assert_eq!(
        effects("awk -F: '{print $1}' /etc/passwd; jq -r '.a' f.json; jq --arg k v .a g.json"),
        fx(&[(Read, "/etc/passwd"), (Read, "f.json"), (Read, "g.json")])
    );
    assert_eq!(
        effects("source .env; . ./venv/bin/activate x"),
        fx(&[(Read, ".env"), (Read, "./venv/bin/activate")])
    );
    assert_eq!(
        effects("diff -u a b; cmp c d; wc -l e; cut -d: -f1 f; sort g; xxd h; base64 i"),
        fx(&[
            (Read, "a"),
            (Read, "b"),
            (Read, "c"),
            (Read, "d"),
            (Read, "e"),
            (Read, "f"),
            (Read, "g"),
            (Read, "h"),
            (Read, "i")
        ])
    );
    assert_eq!(
        effects("cd backend; cat .env"),
        fx(&[(Read, "backend/.env")])
    );
    assert!(effects("diff <(cat a) <(cat b)")
        .iter()
        .all(|(_, path)| !path.contains('(')));
}

#[test]
fn background() {
    let analysis = ok("pnpm dev & git push");
    assert_eq!(
        analysis
            .invocations
            .iter()
            .map(|inv| inv.background)
            .collect::<Vec<_>>(),
        [true, false]
    );
    assert!(single("pnpm dev &").background);
    let analysis = ok("a && b & c");
    assert_eq!(
        analysis
            .invocations
            .iter()
            .map(|inv| inv.background)
            .collect::<Vec<_>>(),
        [true, true, false]
    );
}

#[test]
fn parse_errors() {
    for command in [
        "echo \"abc",
        "echo 'abc",
        "if true; then",
        "echo $(",
        "a &&",
        "(a",
        "a | | b",
    ] {
        match analyze(command) {
            Err(error @ CommandError::Parse { .. }) => {
                let message = error.to_string();
                assert!(
                    message.starts_with("cannot parse shell command `"),
                    "{message}"
                );
                assert!(!message.ends_with('.'), "{message}");
                assert_eq!(
                    miette::Diagnostic::code(&error)
                        .map(|c| c.to_string())
                        .as_deref(),
                    Some("agentgate::command::parse")
                );
            }
            other => panic!("`{command}` should not parse: {other:?}"),
        }
    }
    let long = "a".repeat(MAX_LEN + 1);
    assert!(
        matches!(analyze(&long), Err(CommandError::Parse { command, .. }) if command.chars().count() <= 201)
    );
}

#[test]
fn empty_commands() {
    for command in ["", "   ", "\n\n", "# just a comment", ";", "true"] {
        if let Ok(analysis) = analyze(command) {
            assert!(
                analysis.effects.is_empty() && analysis.opaque.is_empty(),
                "{command}"
            );
        }
    }
    assert_eq!(analyze("").unwrap(), Analysis::default());
}

#[test]
fn nesting_is_bounded() {
    let mut command = "git push".to_owned();
    for _ in 0..100 {
        command = format!("bash -c \"$({command})\"");
    }
    assert!(matches!(
        analyze(&command),
        Err(CommandError::TooDeep { .. })
    ));
    let evals = format!("{}git push", "eval ".repeat(100));
    assert!(matches!(
        analyze(&evals),
        Err(CommandError::TooDeep { limit: MAX_DEPTH })
    ));
    let error = analyze(&evals).unwrap_err();
    assert_eq!(
        error.to_string(),
        "shell command nests too deeply (more than 8 levels of `bash -c`, `eval` or substitutions)"
    );
    let mut quoted = "git push".to_owned();
    for _ in 0..4 {
        quoted = format!("bash -c '{}'", quoted.replace('\'', "'\\''"));
    }
    assert_eq!(single(&quoted).wrappers, strings(&["bash -c"; 4]));
    let parens = format!("{}git push{}", "(".repeat(1000), ")".repeat(1000));
    assert!(matches!(
        analyze(&parens),
        Err(CommandError::TooDeep { .. })
    ));
    let ifs = format!(
        "{}git push{}",
        "if true; then ".repeat(3000),
        "; fi".repeat(3000)
    );
    assert_eq!(ok(&ifs).invocations.len(), 3001);
    assert_eq!(
        programs(&ok(&format!("{}git push", "sudo ".repeat(5000)))),
        ["git"]
    );
}

/// Commands `is_plain` sends to the caller's thread: the most nesting and the most operators that
/// fit in its length, parsed on a thread with a quarter of the 2 MiB a spawned thread gets (and
/// in the dev profile, whose frames are larger), so they can never overflow a caller's stack.
#[test]
fn plain_commands_fit_a_small_stack() {
    let fill = |unit: &str, tail: &str| {
        let mut c = String::new();
        while c.len() + unit.len() + tail.len() <= PLAIN_LEN {
            c.push_str(unit);
        }
        c + tail
    };
    let commands = [
        fill("a|", "a"),
        fill("a&&", "a"),
        fill("a||", "a"),
        fill("a;", "a"),
        fill("a&", "a"),
        fill("! ", "a"),
        fill("a>b ", ""),
        fill("'a'\"b\"", ""),
        fill("bash -c 'a' ; ", ""),
        fill("if a;then ", ""),
        fill("while a;do ", ""),
        fill("a<<E ", ""),
    ];
    for c in &commands {
        assert!(is_plain(c), "{c}");
    }
    assert!(!is_plain(&format!("{}a", "a|".repeat(PLAIN_LEN))));
    for refused in [
        "echo $HOME",
        "(a)",
        "{ a; }",
        "echo `a`",
        "[ -f a ]",
        "caf\u{e9}",
    ] {
        assert!(!is_plain(refused), "{refused}");
    }
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            for c in &commands {
                // Errors are fine (most of these are not valid shell); a stack overflow is not.
                let _ = analyze_caught(c);
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn serializes_in_lowercase() {
    let json = serde_json::to_value(ok("rm x")).unwrap();
    assert_eq!(json["effects"][0]["kind"], "delete");
    assert_eq!(json["invocations"][0]["program"], "rm");
}

/// A small deterministic generator, so that the fuzz tests need no extra dependency.
fn pseudo_random(seed: u64) -> impl Iterator<Item = u64> {
    std::iter::successors(Some(seed | 1), |x| {
        let mut x = *x;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        Some(x)
    })
}

#[test]
fn arbitrary_input_never_panics() {
    const PIECES: &[&str] = &[
        "git", " ", "push", "'", "\"", "\\", "$", "(", ")", "`", "{", "}", "[[", "]]", "<", ">",
        "&", "|", ";", "\n", "<<", "EOF", "-c", "bash", "eval", "cd", "rm", "-exec", "find",
        "xargs", "sudo", "env", "=", "*", "~", "$'", "\\x", "#", "!", "if", "then", "fi", "case",
        "in", "esac", "do", "done", "for", "((", "))", "$((", "${", ":-", "<(", ">&", "2>&1", "\0",
        "é", "\u{202e}",
    ];
    let mut random = pseudo_random(0x5eed);
    for _ in 0..2000 {
        let len = random.next().unwrap() % 40;
        let command: String = (0..len)
            .map(|_| PIECES[(random.next().unwrap() % PIECES.len() as u64) as usize])
            .collect();
        let _ = analyze(&command);
    }
    for _ in 0..200 {
        let bytes: Vec<u8> = (0..random.next().unwrap() % 300)
            .map(|_| random.next().unwrap() as u8)
            .collect();
        let _ = analyze(&String::from_utf8_lossy(&bytes));
    }
    let long: String = (0..60_000)
        .map(|_| PIECES[(random.next().unwrap() % PIECES.len() as u64) as usize])
        .collect::<String>();
    let _ = analyze(long.get(..MAX_LEN - 10).unwrap_or(&long));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn any_string(command in any::<String>()) {
            let _ = analyze(&command);
        }

        #[test]
        fn shell_like(command in "[a-z $'\"`(){}<>|&;=\\\\\n-]{0,60}") {
            if let Ok(analysis) = analyze(&command) {
                for effect in &analysis.effects {
                    prop_assert!(effect.invocation.is_none_or(|i| i < analysis.invocations.len()));
                }
            }
        }

        #[test]
        fn quoted_words_round_trip(word in "[a-zA-Z0-9 ./_-]{1,20}") {
            let command = format!("printf '%s' '{word}'");
            let analysis = analyze(&command).unwrap();
            prop_assert_eq!(&analysis.invocations[0].args[1], &word);
        }
    }
}
