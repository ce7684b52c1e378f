//! Executing one step: directly when it is one literal simple command, else with `sh -c`; in
//! its own process group, with a time limit, its output captured (capped) and hashed (whole).

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::changeset::CheckStatus;

/// Set by SIGINT or SIGTERM once [`catch_interrupts`] ran: the step running is stopped.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// What `ended_by` says of a step stopped by SIGINT or SIGTERM.
pub const INTERRUPTED_BY: &str = "interrupted";

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Steps run in their own process group, so a terminal's Ctrl-C does not reach them: catch
/// SIGINT and SIGTERM instead, stop the step's whole group, and let the run record it.
pub fn catch_interrupts() {
    let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

/// Whether a signal asked the run to stop.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// How a step is executed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum How {
    /// Program and arguments, no shell.
    Direct(crate::command::Direct),
    /// `sh -c COMMAND`, for lists, pipes, redirections and expansions.
    Shell,
}

impl How {
    pub fn of(command: &str) -> How {
        crate::command::direct(command).map_or(How::Shell, How::Direct)
    }
    pub fn describe(&self) -> &'static str {
        match self {
            How::Direct(_) => "directly",
            How::Shell => "with sh -c",
        }
    }
}

/// One captured stream.
#[derive(Debug, Clone, Default)]
pub struct Stream {
    /// The first bytes, up to the limit.
    pub kept: Vec<u8>,
    /// Every byte written.
    pub bytes: u64,
    /// `sha256:` of every byte written.
    pub sha256: String,
}

/// How a step ended.
#[derive(Debug, Clone)]
pub struct Ended {
    pub status: CheckStatus,
    pub exit_code: Option<i32>,
    /// Set when it did not end by exiting: `timeout after 5 s`, `signal 9`.
    pub ended_by: Option<String>,
    pub duration: Duration,
    pub stdout: Stream,
    pub stderr: Stream,
}

/// Run `command` in `dir` for at most `limit`, keeping at most `keep` bytes of each stream.
/// Whatever is left of its process group when it ends is killed.
pub fn execute(command: &str, dir: &Path, limit: Duration, keep: usize) -> std::io::Result<Ended> {
    let mut cmd = match How::of(command) {
        How::Direct(d) => {
            let mut c = Command::new(&d.argv[0]);
            c.args(&d.argv[1..])
                .envs(d.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            c
        }
        How::Shell => {
            let mut c = Command::new("sh");
            c.arg("-c").arg(command);
            c
        }
    };
    cmd.current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let start = Instant::now();
    let mut child = cmd.spawn()?;
    let pgid = i32::try_from(child.id()).unwrap_or(0);
    let out = child.stdout.take().map(|s| capture(s, keep));
    let err = child.stderr.take().map(|s| capture(s, keep));
    let mut pause = Duration::from_millis(1);
    let (status, timed_out) = loop {
        if let Some(status) = child.try_wait()? {
            break (Some(status), None);
        }
        if interrupted() {
            kill_group(pgid);
            let _ = child.wait();
            break (None, Some(INTERRUPTED_BY.to_string()));
        }
        if start.elapsed() >= limit {
            kill_group(pgid);
            let _ = child.wait();
            break (None, Some(format!("timeout after {} s", limit.as_secs())));
        }
        thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    };
    let duration = start.elapsed();
    // Background children would keep the pipes open (and outlive the step): end them.
    kill_group(pgid);
    let stdout = out.and_then(|h| h.join().ok()).unwrap_or_default();
    let stderr = err.and_then(|h| h.join().ok()).unwrap_or_default();
    let (exit_code, ended_by) = match status {
        Some(s) => {
            use std::os::unix::process::ExitStatusExt;
            (s.code(), s.signal().map(|n| format!("signal {n}")))
        }
        None => (None, timed_out),
    };
    let status = if exit_code == Some(0) {
        CheckStatus::Passed
    } else {
        CheckStatus::Failed
    };
    Ok(Ended {
        status,
        exit_code,
        ended_by,
        duration,
        stdout,
        stderr,
    })
}

fn capture(mut r: impl Read + Send + 'static, keep: usize) -> thread::JoinHandle<Stream> {
    thread::spawn(move || {
        let mut s = Stream::default();
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n) = r.read(&mut buf) {
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            s.bytes += n as u64;
            let room = keep.saturating_sub(s.kept.len());
            s.kept.extend_from_slice(&buf[..n.min(room)]);
        }
        s.sha256 = crate::audit::sha256_hex(&h.finalize());
        s
    })
}

fn kill_group(pgid: i32) {
    if pgid > 0 {
        // SAFETY: kill(2) with a negative pid signals the process group the step leads; it
        // reads or writes no memory of this process.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}
