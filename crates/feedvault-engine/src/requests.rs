//! The queue of changes asked for by someone other than the writer (the web UI):
//! subscribe, unsubscribe, fetch now, publish now (DESIGN.md, One writer).
//!
//! Any process may queue: one JSON file per request in `requests/pending/`
//! (beside state.db; never published), written atomically, named by an id that
//! sorts by the time it was queued. The one writer takes them in order, carries
//! them out and records each outcome in `requests/done/<id>.json` (atomically,
//! before the pending file goes), so a crash at any point loses no request and
//! carries none out twice after its outcome is written. A file that does not read
//! as a request is recorded as failed and the others go on. Finished requests are
//! kept a week, at most [`KEEP_FINISHED`] of them.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use feedvault_archive::durable;
use serde::{Deserialize, Serialize};

use crate::{EngineError, Result};

/// How many finished requests are kept for their status pages.
pub const KEEP_FINISHED: usize = 100;
/// How long a finished request is kept.
const KEEP_FOR: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);
/// A request file larger than this is not read.
const MAX_FILE: u64 = 64 * 1024;

/// What is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequestKind {
    Subscribe { url: String, name: Option<String>, public_only: bool },
    Unsubscribe { feed: String },
    FetchNow,
    PublishNow,
}

impl RequestKind {
    /// A short description for logs and status pages.
    pub fn describe(&self) -> String {
        match self {
            RequestKind::Subscribe { url, .. } => format!("subscribe to {url}"),
            RequestKind::Unsubscribe { feed } => format!("unsubscribe from {feed}"),
            RequestKind::FetchNow => "fetch now".to_owned(),
            RequestKind::PublishNow => "publish now".to_owned(),
        }
    }
}

/// A request's id: milliseconds since the epoch, process id and a counter, so
/// ids sort by the time they were queued.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(String);

impl RequestId {
    fn new() -> RequestId {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let millis = chrono::Utc::now().timestamp_millis().max(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed) % 10_000;
        RequestId(format!("{millis:013}-{:010}-{n:04}", std::process::id()))
    }

    /// The id in `text`, when it is one (digits and dashes, as [`RequestId::new`]
    /// makes them: never a path).
    pub fn parse(text: &str) -> Option<RequestId> {
        let ok = (1..=40).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_digit() || b == b'-')
            && text.bytes().next().is_some_and(|b| b.is_ascii_digit());
        ok.then(|| RequestId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a request is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestStatus {
    Pending,
    /// Carried out; what it did.
    Done(String),
    /// Not carried out; why.
    Failed(String),
    /// No such request (never queued, or pruned).
    Unknown,
}

/// A queued request as stored.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    kind: RequestKind,
    queued_at: i64,
}

/// A finished request as stored.
#[derive(Debug, Serialize, Deserialize)]
struct Finished {
    ok: bool,
    message: String,
    finished_at: i64,
    /// The process that carried it out.
    by_pid: u32,
    request: Option<RequestKind>,
}

/// What carrying out a request came to: what it did, or why it failed.
pub type RequestOutcome = std::result::Result<String, String>;

/// A request carried out: its id, what it asked for, its outcome.
pub type CarriedOut = (RequestId, String, RequestOutcome);

/// A request taken from the queue by the writer.
#[derive(Debug, Clone)]
pub struct Taken {
    pub id: RequestId,
    /// The request, or why its file does not read as one.
    pub kind: std::result::Result<RequestKind, String>,
}

/// The queue of one vault.
#[derive(Debug, Clone)]
pub struct Queue {
    root: PathBuf,
}

impl Queue {
    pub fn new(vault: &Path) -> Queue {
        Queue { root: vault.join("requests") }
    }

    fn pending_dir(&self) -> PathBuf {
        self.root.join("pending")
    }

    fn done_dir(&self) -> PathBuf {
        self.root.join("done")
    }

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> EngineError + '_ {
        move |source| EngineError::Io { path: path.to_owned(), source }
    }

    /// Queues `kind`; durable when this returns.
    pub fn push(&self, kind: RequestKind) -> Result<RequestId> {
        let id = RequestId::new();
        let stored = Stored { kind, queued_at: chrono::Utc::now().timestamp_millis() };
        let bytes = serde_json::to_vec_pretty(&stored).map_err(|e| EngineError::Other(e.to_string()))?;
        let path = self.pending_dir().join(format!("{id}.json"));
        std::fs::create_dir_all(self.pending_dir()).map_err(Self::io(&self.pending_dir()))?;
        durable::write_file(&path, &bytes).map_err(Self::io(&path))?;
        Ok(id)
    }

    /// Where request `id` is.
    pub fn status(&self, id: &RequestId) -> RequestStatus {
        let done = self.done_dir().join(format!("{id}.json"));
        if let Ok(bytes) = read_bounded(&done) {
            return match serde_json::from_slice::<Finished>(&bytes) {
                Ok(f) if f.ok => RequestStatus::Done(f.message),
                Ok(f) => RequestStatus::Failed(f.message),
                Err(err) => RequestStatus::Failed(format!("its outcome does not read: {err}")),
            };
        }
        if self.pending_dir().join(format!("{id}.json")).is_file() {
            return RequestStatus::Pending;
        }
        RequestStatus::Unknown
    }

    /// The process that carried out request `id`, once finished.
    pub fn carried_out_by(&self, id: &RequestId) -> Option<u32> {
        let bytes = read_bounded(&self.done_dir().join(format!("{id}.json"))).ok()?;
        serde_json::from_slice::<Finished>(&bytes).ok().map(|f| f.by_pid)
    }

    /// The ids of pending requests, oldest first (temporary files and other names skipped).
    pub fn pending_ids(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.pending_dir()) else { return Vec::new() };
        let mut ids: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .filter(|name| !durable::is_temp_name(name))
            .filter_map(|name| name.strip_suffix(".json").map(str::to_owned))
            .collect();
        ids.sort();
        ids
    }

    /// Whether any request waits (cheap: one folder listing).
    pub fn has_pending(&self) -> bool {
        !self.pending_ids().is_empty()
    }

    /// The pending requests, oldest first. Only the writer calls this.
    pub fn take(&self) -> Vec<Taken> {
        let mut taken = Vec::new();
        for name in self.pending_ids() {
            let path = self.pending_dir().join(format!("{name}.json"));
            let Some(id) = RequestId::parse(&name) else {
                // Not a name this queue writes: reported under a name that is one.
                let id = RequestId::new();
                let why = format!("{} is not a request file this queue writes", path.display());
                let _ = std::fs::rename(&path, self.pending_dir().join(format!("{id}.json")))
                    .or_else(|_| std::fs::remove_file(&path));
                taken.push(Taken { id, kind: Err(why) });
                continue;
            };
            if self.done_dir().join(format!("{id}.json")).is_file() {
                // Finished before a crash took the pending file's removal.
                let _ = std::fs::remove_file(&path);
                continue;
            }
            let kind =
                read_bounded(&path).map_err(|err| format!("the request cannot be read: {err}")).and_then(|bytes| {
                    serde_json::from_slice::<Stored>(&bytes)
                        .map(|s| s.kind)
                        .map_err(|err| format!("the request does not read as one: {err}"))
                });
            taken.push(Taken { id, kind });
        }
        taken
    }

    /// Records the outcome of `taken`, then removes it from the queue.
    pub fn finish(&self, taken: &Taken, outcome: &std::result::Result<String, String>) -> Result<()> {
        let finished = Finished {
            ok: outcome.is_ok(),
            message: match outcome {
                Ok(m) | Err(m) => m.clone(),
            },
            finished_at: chrono::Utc::now().timestamp_millis(),
            by_pid: std::process::id(),
            request: taken.kind.clone().ok(),
        };
        let bytes = serde_json::to_vec_pretty(&finished).map_err(|e| EngineError::Other(e.to_string()))?;
        let path = self.done_dir().join(format!("{}.json", taken.id));
        std::fs::create_dir_all(self.done_dir()).map_err(Self::io(&self.done_dir()))?;
        durable::write_file(&path, &bytes).map_err(Self::io(&path))?;
        let pending = self.pending_dir().join(format!("{}.json", taken.id));
        match std::fs::remove_file(&pending) {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(Self::io(&pending)(err)),
        }
    }

    /// Removes finished requests older than a week, and all but the newest
    /// [`KEEP_FINISHED`]. Returns how many went.
    pub fn prune(&self) -> usize {
        let Ok(entries) = std::fs::read_dir(self.done_dir()) else { return 0 };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .filter(|n| n.ends_with(".json") && !durable::is_temp_name(n))
            .collect();
        names.sort();
        let excess = names.len().saturating_sub(KEEP_FINISHED);
        let mut removed = 0;
        for (i, name) in names.iter().enumerate() {
            let path = self.done_dir().join(name);
            // When it finished: the outcome file's time (one metadata call each).
            let old = std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > KEEP_FOR);
            if (i < excess || old) && std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
        removed
    }
}

fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(std::io::Error::other(format!("larger than {MAX_FILE} bytes")));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_taken_in_order_and_their_outcomes_kept() {
        let dir = tempfile::tempdir().unwrap();
        let queue = Queue::new(dir.path());
        let first = queue.push(RequestKind::FetchNow).unwrap();
        let second = queue.push(RequestKind::Unsubscribe { feed: "nyt".into() }).unwrap();
        assert!(first < second);
        assert_eq!(queue.status(&first), RequestStatus::Pending);
        std::fs::write(dir.path().join("requests/pending/0000000000001-x.json"), b"{").unwrap();
        std::fs::write(dir.path().join("requests/pending/0000000000002-0-0.json"), b"{\"kind\":\"nuke\"}").unwrap();
        let taken = queue.take();
        assert_eq!(taken.len(), 4);
        assert!(taken[0].kind.is_err(), "a name the queue does not write");
        assert!(taken[1].kind.as_ref().unwrap_err().contains("does not read"));
        assert_eq!(taken[2].kind, Ok(RequestKind::FetchNow));
        assert_eq!(taken[2].id, first);
        for t in &taken {
            let outcome = t.kind.clone().map(|k| k.describe());
            queue.finish(t, &outcome).unwrap();
        }
        assert_eq!(queue.status(&first), RequestStatus::Done("fetch now".into()));
        assert!(matches!(queue.status(&taken[1].id), RequestStatus::Failed(_)));
        assert_eq!(queue.carried_out_by(&first), Some(std::process::id()));
        assert!(!queue.has_pending());
        assert_eq!(queue.status(&RequestId::parse("123").unwrap()), RequestStatus::Unknown);
    }

    #[test]
    fn ids_are_never_paths() {
        for bad in ["", "../x", "a", "1/2", "1.json", &"1".repeat(41)] {
            assert!(RequestId::parse(bad).is_none(), "{bad}");
        }
        assert!(RequestId::parse("0001764612345678-0000001234-0001").is_some());
    }

    #[test]
    fn pruning_keeps_the_newest_hundred() {
        let dir = tempfile::tempdir().unwrap();
        let queue = Queue::new(dir.path());
        for _ in 0..KEEP_FINISHED + 5 {
            let id = queue.push(RequestKind::PublishNow).unwrap();
            queue.finish(&Taken { id, kind: Ok(RequestKind::PublishNow) }, &Ok(String::new())).unwrap();
        }
        assert_eq!(queue.prune(), 5);
        assert_eq!(std::fs::read_dir(dir.path().join("requests/done")).unwrap().count(), KEEP_FINISHED);
    }
}
