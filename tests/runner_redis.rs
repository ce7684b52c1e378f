//! The Redis session store (`--features redis`), against a real `redis-server` started here on
//! a free loopback port. `.ci/run` installs the server (Debian's `redis-server`).
#![cfg(feature = "redis")]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

/// A redis-server for one test, stopped when dropped.
struct Server {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn server() -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let child = Process::new("redis-server")
        .args([
            "--bind",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server is not installed: `apt-get install redis-server` (CI does)");
    let url = format!("redis://127.0.0.1:{port}");
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "redis-server did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Server {
        child,
        url,
        _dir: dir,
    }
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("AGENTS.md"), "- Never force push.\n").unwrap();
    dir
}

fn run(root: &Path, url: &str, plan: &Value) -> (i32, Value, String) {
    let path = root.join("plan.json");
    std::fs::write(&path, plan.to_string()).unwrap();
    let out = Command::cargo_bin("agentgate")
        .unwrap()
        .args(["run", "--format", "json", "--store", url, "--root"])
        .arg(root)
        .arg("--plan")
        .arg(&path)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// `redis-cli` (Debian's redis-tools, beside the server) against the test server.
fn cli(url: &str, args: &[&str]) -> String {
    let out = Process::new("redis-cli")
        .args(["-u", url])
        .args(args)
        .output()
        .expect("redis-cli is not installed");
    String::from_utf8_lossy(&out.stdout).trim_end().to_string()
}

fn redis_get(url: &str, key: &str) -> Option<String> {
    let v = cli(url, &["--raw", "GET", key]);
    (!v.is_empty()).then_some(v)
}

#[test]
fn checkpoints_live_in_redis() {
    let s = server();
    let dir = repo();
    let plan = serde_json::json!({"session": "r-1", "commands": [{"run": "echo a >> a.txt"}]});
    let (code, json, err) = run(dir.path(), &s.url, &plan);
    assert_eq!(code, 0, "{json} {err}");
    let cp: Value =
        serde_json::from_str(&redis_get(&s.url, "agentgate:session:r-1:checkpoint").unwrap())
            .unwrap();
    assert_eq!(cp["state"], "completed");
    assert_eq!(cp["next_step"], 1);
    assert!(!dir.path().join(".agentgate/sessions").exists());
    // The lock is released at the end of the run.
    assert_eq!(redis_get(&s.url, "agentgate:session:r-1:lock"), None);
}

#[test]
fn a_held_lock_refuses_a_second_run_and_a_dead_holder_lets_go() {
    let s = server();
    let dir = repo();
    // Another machine holds the lock and stops renewing it (it died): 1.5 s left on it.
    assert_eq!(
        cli(
            &s.url,
            &[
                "SET",
                "agentgate:session:r-2:lock",
                "pid 1 on elsewhere",
                "PX",
                "1500"
            ]
        ),
        "OK"
    );
    let plan = serde_json::json!({"session": "r-2", "commands": [{"run": "true"}]});
    let (code, _, err) = run(dir.path(), &s.url, &plan);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("already running (pid 1 on elsewhere)"),
        "{err}"
    );
    std::thread::sleep(Duration::from_millis(1700));
    let (code, json, err) = run(dir.path(), &s.url, &plan);
    assert_eq!(code, 0, "{json} {err}");
}

#[test]
fn an_unreachable_server_is_an_error() {
    let dir = repo();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let plan = serde_json::json!({"session": "r-3", "commands": [{"run": "true"}]});
    let (code, _, err) = run(dir.path(), &format!("redis://127.0.0.1:{port}"), &plan);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("redis"), "{err}");
}
