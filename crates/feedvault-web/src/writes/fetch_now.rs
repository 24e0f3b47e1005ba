//! "Fetch now" made here. Inside the daemon, or when another process holds the
//! vault, the request is queued instead ([`super::queue`]) and the writer runs a
//! forced cycle. Otherwise the server becomes the writer itself for one cycle
//! ([`Standalone`]); without a runner to queue for, a held vault is reported.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use feedvault_engine::{CycleOptions, Vault};

/// What a standalone "fetch now" did.
#[derive(Debug, PartialEq, Eq)]
pub enum Started {
    /// This server became the writer and fetches in the background.
    Fetching,
    /// A fetch started from this server is still running.
    AlreadyRunning,
    /// Another process writes the vault (its message says which).
    Locked(String),
}

/// The standalone server's own fetching: at most one cycle at a time.
#[derive(Default)]
pub struct Standalone {
    running: Arc<AtomicBool>,
}

impl Standalone {
    /// Starts one cycle over every feed (as `fetch --force`) if nobody else writes.
    /// Blocks only until the vault lock is taken or refused.
    pub fn start(&self, vault: Arc<Vault>) -> Started {
        if self.running.swap(true, Ordering::SeqCst) {
            return Started::AlreadyRunning;
        }
        let running = self.running.clone();
        let (tx, rx) = std::sync::mpsc::channel::<Result<(), String>>();
        let spawned = std::thread::Builder::new().name("feedvault-web-fetch".into()).spawn(move || {
            let mut writer = match vault.writer(Duration::ZERO) {
                Ok(writer) => writer,
                Err(err) => {
                    let _ = tx.send(Err(err.to_string()));
                    running.store(false, Ordering::SeqCst);
                    return;
                }
            };
            let _ = tx.send(Ok(()));
            let stop = AtomicBool::new(false);
            if let Err(err) = writer.fetch(CycleOptions { force: true }, &stop, |_| {}) {
                tracing::warn!("fetch from the web failed: {err}");
            }
            drop(writer);
            running.store(false, Ordering::SeqCst);
        });
        if spawned.is_err() {
            self.running.store(false, Ordering::SeqCst);
            return Started::Locked("could not start a thread".into());
        }
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Ok(())) => Started::Fetching,
            Ok(Err(why)) => Started::Locked(why),
            Err(_) => Started::Fetching,
        }
    }
}
