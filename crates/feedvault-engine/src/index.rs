//! The search index beside the archive: what an article's index document is, an
//! [`Indexer`] thread that indexes while the cycle goes on archiving, and the check
//! that the index and state.db agree.
//!
//! Files and state.db become durable first; the cycle then hands the articles to
//! the indexer and moves on to the next feed. The indexer commits when it falls
//! idle, every couple of seconds while busy (so another process serving the vault
//! sees new articles soon), on [`Indexer::flush`], and every
//! [`COMMIT_EVERY`] additions (which bounds the writer's memory). After each
//! commit it marks the articles `indexed` in state.db; an article written just
//! before a crash stays unmarked, and the next writer indexes it ([`crate::heal`]).

use std::collections::HashSet;
use std::path::Path;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use feedvault_core::Article;
use feedvault_core::identity::sha256_hex;
use feedvault_search::{Document, SearchIndex};
use feedvault_store::{SqliteStore, Store};

use crate::{EngineError, Result};

/// Index additions between commits at most (bounds the index writer's memory).
pub const COMMIT_EVERY: usize = 20_000;
/// A busy indexer commits at least this often.
const COMMIT_INTERVAL: Duration = Duration::from_secs(2);
/// An indexer with uncommitted work commits after this long without new work.
const IDLE: Duration = Duration::from_millis(250);

/// The index document of an archived article, taking its strings.
pub fn document(path: String, feed: &str, article: Article) -> Document {
    Document {
        path,
        feed: feed.to_owned(),
        published_ms: article.time.millis(),
        title: article.title,
        link: article.url,
        body_html: article.body,
    }
}

/// Opens (creating if needed) the index of a vault.
pub fn open(vault: &Path) -> Result<SearchIndex> {
    let dir = vault.join("index");
    SearchIndex::open(&dir).map_err(|e| {
        EngineError::Other(format!("opening the search index {} (`feedvault reindex` rebuilds it): {e}", dir.display()))
    })
}

enum Message {
    Add(Vec<Document>),
    Flush(mpsc::Sender<Result<(), String>>),
}

/// The search index's writer, on a thread of its own.
pub struct Indexer {
    sender: Option<SyncSender<Message>>,
    thread: Option<JoinHandle<()>>,
    failure: Arc<Mutex<Option<String>>>,
}

impl Indexer {
    /// Starts indexing into the vault's index, marking articles in its state.db.
    pub fn start(vault: &Path, index: SearchIndex) -> Result<Indexer> {
        let store = SqliteStore::open(&vault.join("state.db"))?;
        let (sender, receiver) = mpsc::sync_channel(1024);
        let failure = Arc::new(Mutex::new(None));
        let shared = failure.clone();
        let thread = std::thread::Builder::new()
            .name("indexer".into())
            .spawn(move || run(index, store, receiver, shared))
            .map_err(|e| EngineError::Other(format!("starting the indexer: {e}")))?;
        Ok(Indexer { sender: Some(sender), thread: Some(thread), failure })
    }

    fn send(&self, message: Message) -> Result<()> {
        let sender = self.sender.as_ref().expect("the sender lives until drop");
        sender.send(message).map_err(|_| EngineError::Vault(self.failure().unwrap_or("the indexer stopped".into())))
    }

    fn failure(&self) -> Option<String> {
        self.failure.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Queues documents for indexing.
    pub fn add(&self, documents: Vec<Document>) -> Result<()> {
        if documents.is_empty() {
            return Ok(());
        }
        self.send(Message::Add(documents))
    }

    /// Waits until everything queued is committed and marked in state.db.
    pub fn flush(&self) -> Result<()> {
        let (reply, answer) = mpsc::channel();
        self.send(Message::Flush(reply))?;
        match answer.recv() {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(EngineError::Vault(format!("search index: {message}"))),
            Err(_) => Err(EngineError::Vault(self.failure().unwrap_or("the indexer stopped".into()))),
        }
    }
}

impl Drop for Indexer {
    /// Commits what is queued and waits for the thread.
    fn drop(&mut self) {
        drop(self.sender.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(
    mut index: SearchIndex,
    mut store: SqliteStore,
    receiver: Receiver<Message>,
    failure: Arc<Mutex<Option<String>>>,
) {
    // (path, content hash) of what was added since the last commit.
    let mut uncommitted: Vec<(String, String)> = Vec::new();
    let mut last_commit = Instant::now();
    let mut commit = |index: &mut SearchIndex, uncommitted: &mut Vec<(String, String)>| -> Result<(), String> {
        if uncommitted.is_empty() {
            return Ok(());
        }
        index.commit().map_err(|e| e.to_string())?;
        store.mark_indexed(uncommitted).map_err(|e| e.to_string())?;
        uncommitted.clear();
        Ok(())
    };
    let record = |result: Result<(), String>| -> Result<(), String> {
        if let Err(message) = &result {
            failure.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert_with(|| message.clone());
        }
        result
    };
    loop {
        let message = if uncommitted.is_empty() {
            receiver.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            receiver.recv_timeout(IDLE)
        };
        match message {
            Ok(Message::Add(documents)) => {
                let paths: Vec<(String, String)> = documents
                    .iter()
                    .map(|d| (d.path.clone(), sha256_hex(&[d.title.as_bytes(), d.body_html.as_bytes()])))
                    .collect();
                if record(index.upsert(documents).map_err(|e| e.to_string())).is_ok() {
                    uncommitted.extend(paths);
                }
                if uncommitted.len() >= COMMIT_EVERY || last_commit.elapsed() >= COMMIT_INTERVAL {
                    let _ = record(commit(&mut index, &mut uncommitted));
                    last_commit = Instant::now();
                }
            }
            Ok(Message::Flush(reply)) => {
                let result = record(commit(&mut index, &mut uncommitted));
                last_commit = Instant::now();
                let result = match (result, failure.lock().unwrap_or_else(|p| p.into_inner()).take()) {
                    (Err(message), _) | (Ok(()), Some(message)) => Err(message),
                    (Ok(()), None) => Ok(()),
                };
                let _ = reply.send(result);
            }
            Err(RecvTimeoutError::Timeout) => {
                let _ = record(commit(&mut index, &mut uncommitted));
                last_commit = Instant::now();
            }
            Err(RecvTimeoutError::Disconnected) => {
                let _ = record(commit(&mut index, &mut uncommitted));
                return;
            }
        }
    }
}

/// Problems between the index and the articles state.db records.
pub fn compare(index: &SearchIndex, recorded: &[String]) -> Result<Vec<String>> {
    let indexed = index.paths()?;
    let recorded_set: HashSet<&str> = recorded.iter().map(String::as_str).collect();
    let indexed_set: HashSet<&str> = indexed.iter().map(String::as_str).collect();
    let mut problems = Vec::new();
    for path in recorded.iter().filter(|p| !indexed_set.contains(p.as_str())) {
        problems.push(format!("{path}: archived but missing from the search index (run `feedvault reindex`)"));
    }
    for path in indexed.iter().filter(|p| !recorded_set.contains(p.as_str())) {
        problems.push(format!("{path}: in the search index but not archived (run `feedvault reindex`)"));
    }
    let mut seen = HashSet::new();
    for path in indexed.iter().filter(|p| !seen.insert(p.as_str())) {
        problems.push(format!("{path}: indexed more than once"));
    }
    Ok(problems)
}
