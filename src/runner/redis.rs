//! Session checkpoints and locks in Redis (cargo feature `redis`), for runs spread over
//! machines.
//!
//! The lock is `SET agentgate:session:<s>:lock <token> NX PX 10000`, renewed every 3 s by a
//! thread while the run goes on and deleted (only if it still holds the token) when it ends. A
//! killed run stops renewing, so its lock expires within 10 s instead of staying behind.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use super::session::{Checkpoint, SessionLock, SessionStore};
use super::RunnerError;

/// How long a lock outlives the last renewal.
const LOCK_TTL_MS: u64 = 10_000;
/// How often a held lock is renewed.
const RENEW_EVERY: Duration = Duration::from_secs(3);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Renew (`PEXPIRE`) or release (`DEL`) the lock only while it holds our token.
const RENEW: &str = r#"if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end"#;
const RELEASE: &str = r#"if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end"#;

fn err(e: impl std::fmt::Display) -> RunnerError {
    RunnerError::Redis {
        message: e.to_string(),
    }
}

pub struct RedisStore {
    url: String,
    client: redis::Client,
}

impl RedisStore {
    /// Connect to `redis://host:port[/db]` (a connection is tried now, so a wrong URL fails
    /// before anything runs).
    pub fn connect(url: &str) -> Result<RedisStore, RunnerError> {
        let client = redis::Client::open(url).map_err(err)?;
        client
            .get_connection_with_timeout(CONNECT_TIMEOUT)
            .map_err(err)?;
        Ok(RedisStore {
            url: url.to_string(),
            client,
        })
    }

    fn conn(&self) -> Result<redis::Connection, RunnerError> {
        self.client
            .get_connection_with_timeout(CONNECT_TIMEOUT)
            .map_err(err)
    }
}

fn key(session: &str, what: &str) -> String {
    format!("agentgate:session:{session}:{what}")
}

struct RedisLock {
    stop: Arc<AtomicBool>,
    renewer: Option<thread::JoinHandle<()>>,
    client: redis::Client,
    key: String,
    token: String,
}

impl SessionLock for RedisLock {}

impl Drop for RedisLock {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.renewer.take() {
            h.thread().unpark();
            let _ = h.join();
        }
        if let Ok(mut c) = self.client.get_connection_with_timeout(CONNECT_TIMEOUT) {
            let _: redis::RedisResult<i64> = redis::Script::new(RELEASE)
                .key(&self.key)
                .arg(&self.token)
                .invoke(&mut c);
        }
    }
}

impl SessionStore for RedisStore {
    fn describe(&self) -> String {
        format!("redis at {}", self.url)
    }

    fn lock(&self, session: &str) -> Result<Box<dyn SessionLock>, RunnerError> {
        let mut c = self.conn()?;
        let key = key(session, "lock");
        let token = format!(
            "pid {} on {} at {}",
            std::process::id(),
            std::env::var("HOSTNAME").unwrap_or_else(|_| "this host".into()),
            crate::audit::now_rfc3339()
        );
        let set: Option<String> = redis::cmd("SET")
            .arg(&key)
            .arg(&token)
            .arg("NX")
            .arg("PX")
            .arg(LOCK_TTL_MS)
            .query(&mut c)
            .map_err(err)?;
        if set.is_none() {
            let holder: Option<String> = redis::cmd("GET").arg(&key).query(&mut c).map_err(err)?;
            return Err(RunnerError::Locked {
                session: session.to_string(),
                holder: holder.unwrap_or_else(|| "another run".into()),
            });
        }
        let stop = Arc::new(AtomicBool::new(false));
        let renewer = {
            let (stop, client, key, token) = (
                stop.clone(),
                self.client.clone(),
                key.clone(),
                token.clone(),
            );
            thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    thread::park_timeout(RENEW_EVERY);
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(mut c) = client.get_connection_with_timeout(CONNECT_TIMEOUT) {
                        let _: redis::RedisResult<i64> = redis::Script::new(RENEW)
                            .key(&key)
                            .arg(&token)
                            .arg(LOCK_TTL_MS)
                            .invoke(&mut c);
                    }
                }
            })
        };
        Ok(Box::new(RedisLock {
            stop,
            renewer: Some(renewer),
            client: self.client.clone(),
            key,
            token,
        }))
    }

    fn load(&self, session: &str) -> Result<Option<Checkpoint>, RunnerError> {
        let mut c = self.conn()?;
        let k = key(session, "checkpoint");
        let text: Option<String> = redis::cmd("GET").arg(&k).query(&mut c).map_err(err)?;
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| RunnerError::Checkpoint {
                path: format!("{} {k}", self.url),
                message: e.to_string(),
            })
        })
        .transpose()
    }

    fn save(&self, checkpoint: &Checkpoint) -> Result<(), RunnerError> {
        let mut c = self.conn()?;
        let text = serde_json::to_string(checkpoint).unwrap_or_default();
        redis::cmd("SET")
            .arg(key(&checkpoint.session, "checkpoint"))
            .arg(text)
            .query::<()>(&mut c)
            .map_err(err)
    }
}
