//! feedvault-engine: the vault as one library, shared by the CLI, the daemon, the
//! web server and publishing.
//!
//! A [`Vault`] reads: settings ([`settings`], feedvault.toml through serde), the
//! subscriptions with their state, articles by feed and by day, one article with its
//! revisions, recent revisions, search ([`read`]). Any number of threads and
//! processes may read at once. It also edits the subscriptions ([`config_file`]:
//! under a lock, by name, keeping the user's comments) and queues changes for the
//! writer ([`requests`]). A [`VaultWriter`] is the one
//! writer (it holds the vault lock): it heals derived state when it opens
//! ([`heal`]), runs fetch cycles ([`cycle`], with the pure [`cycle::decide`]),
//! imports and rebuilds, with the search index kept up on its own thread
//! ([`index`]), and carries out queued changes. The library never prints: progress and results come back through
//! callbacks and return values. Models: Miniflux's `processor`, lychee's lib/bin
//! split.

pub mod config_file;
pub mod cycle;
mod error;
pub mod heal;
pub mod index;
pub mod opml;
pub mod preserve;
mod publishing;
pub mod read;
pub mod requests;
pub mod settings;
pub mod subscribe;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use chrono::Utc;
use feedvault_archive::indexes::{self, FeedInfo, Scope};
use feedvault_archive::{Archiver, Layout, VaultLock, lists};
use feedvault_fetch::Fetcher;
use feedvault_search::{Filters, Page as SearchPage, SearchIndex, SearchResults, Sort};
use feedvault_store::{SqliteStore, Store, StoreReader};

pub use cycle::{CycleOptions, CycleReport, FeedResult, Outcome};
pub use error::{EngineError, Result};
pub use feedvault_core::FailureKind;
/// Which addresses a feed added from the web may reach (the fetcher checks every hop).
pub use feedvault_fetch::address;
pub use feedvault_store::{ChangeKind, RemoteState, Unpublished};
pub use heal::HealReport;
pub use index::Indexer;
pub use preserve::recheck::RecheckReport;
pub use preserve::recheck::view::{Evidence, RemovedArticle};
pub use read::{ArticleCapture, CaptureKind, CaptureLink, CaptureRow, RawResponse};
pub use read::{
    ArticleDetail, ArticleQuery, ArticleSummary, ChangeStamp, ChangeView, DayView, FeedView, Page, Paged, RevisionView,
};
pub use read::{StoredArticle, StoredRevision, VersionFile};
pub use requests::{RequestId, RequestKind, RequestStatus};
pub use settings::{FILE_NAME, FeedSettings, Settings};

/// A vault, open for reading (and for editing its subscriptions).
pub struct Vault {
    root: PathBuf,
    reader: StoreReader,
    /// The index, or why it could not be opened (searching says so; a writer
    /// rebuilds it).
    search: std::result::Result<SearchIndex, String>,
    /// The settings last read, and the stamp of the file they were read from.
    settings: std::sync::Mutex<Option<(config_file::FileStamp, Settings)>>,
}

/// What `import-opml` did.
#[derive(Debug, Default)]
pub struct OpmlImport {
    pub added: Vec<FeedSettings>,
    /// (URL, why) of outlines not subscribed.
    pub skipped: Vec<(String, String)>,
}

/// What `reindex` did.
#[derive(Debug, Default)]
pub struct ReindexReport {
    pub articles: usize,
    pub revisions: usize,
    pub skipped: Vec<String>,
    /// Evidence records of page re-checks read back from the vault's evidence files.
    pub evidence: usize,
    pub indexed: usize,
    /// README index files written (dated layout; vault-relative, sorted).
    pub indexes: Vec<String>,
    /// Kept images recorded again from assets/records.jsonl.
    pub images: usize,
    /// Raw captures recorded again from captures/records.jsonl.
    pub captures: usize,
}

impl Vault {
    /// Creates a vault at `root`: feedvault.toml, the archive folder and state.db.
    pub fn init(root: &Path, layout: &str, timezone: &str) -> Result<()> {
        let layout = settings::parse_layout(layout)?;
        settings::parse_zone(timezone)?;
        let config = root.join(FILE_NAME);
        if config.exists() {
            return Err(EngineError::Usage(format!("{} is already a vault", root.display())));
        }
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| EngineError::Io { path, source }
        };
        std::fs::create_dir_all(root.join(layout.root())).map_err(io(root))?;
        feedvault_archive::durable::write_file(&config, settings::template(layout, timezone).as_bytes())
            .map_err(io(&config))?;
        SqliteStore::open(&root.join("state.db"))?;
        Ok(())
    }

    /// Opens the vault at `root` for reading.
    pub fn open(root: &Path) -> Result<Vault> {
        config_file::load(root)?;
        let db = root.join("state.db");
        // The writer creates and migrates state.db; a reader of a vault that has none
        // yet (or an older schema) lets it do so once.
        if !db.exists() || SqliteStore::needs_migration(&db)? {
            SqliteStore::open(&db)?;
        }
        let reader = StoreReader::open(&db)?;
        let search = SearchIndex::open_reader(&root.join("index")).map_err(|e| e.to_string());
        Ok(Vault { root: root.to_owned(), reader, search, settings: std::sync::Mutex::new(None) })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The settings as feedvault.toml says now: read again whenever the file's
    /// stamp (size, times, inode) differs from the last read, so a long-running
    /// reader sees `add` and `remove` at once without parsing the file per call.
    pub fn settings(&self) -> Result<Settings> {
        let Some(stamp) = config_file::stamp(&self.root) else { return config_file::load(&self.root) };
        if let Ok(last) = self.settings.lock()
            && let Some((at, settings)) = &*last
            && *at == stamp
        {
            return Ok(settings.clone());
        }
        let settings = config_file::load(&self.root)?;
        if let Ok(mut last) = self.settings.lock() {
            *last = Some((stamp, settings.clone()));
        }
        Ok(settings)
    }

    /// Searches the archive (the query language of `feedvault search`). The index
    /// reloads by itself after every commit, in this process or another.
    pub fn search(&self, query: &str, filters: &Filters, page: SearchPage, sort: Sort) -> Result<SearchResults> {
        Ok(self.index()?.search(query, filters, page, sort)?)
    }

    fn index(&self) -> Result<&SearchIndex> {
        self.search.as_ref().map_err(|why| {
            EngineError::Other(format!(
                "the search index {} cannot be read: {why} (`feedvault reindex` rebuilds it)",
                self.root.join("index").display()
            ))
        })
    }

    /// Subscribes to `url` (a web address, file URL or path, relative to
    /// `base_dir`), named `name` or after `title` or the URL. The name is decided
    /// under the config lock, so concurrent subscriptions never collide.
    pub fn subscribe(
        &self,
        url: &str,
        name: Option<&str>,
        title: Option<String>,
        base_dir: &Path,
    ) -> Result<FeedSettings> {
        self.add_subscription(url, name, title, base_dir, false)
    }

    /// Subscribes to a web address asked for by someone other than the vault's
    /// owner (the web UI): the feed is marked `public_only`, so every hop of every
    /// fetch of it is refused when it leads to a loopback, private or link-local
    /// address.
    pub fn subscribe_public_only(&self, url: &str, name: Option<&str>) -> Result<FeedSettings> {
        self.add_subscription(url, name, None, &self.root, true)
    }

    fn add_subscription(
        &self,
        url: &str,
        name: Option<&str>,
        title: Option<String>,
        base_dir: &Path,
        public_only: bool,
    ) -> Result<FeedSettings> {
        subscribe::add(&self.root, url, name, title, base_dir, public_only)
    }

    /// Unsubscribes (by name or URL); the archived articles stay. Returns the feed
    /// and how many articles it had.
    pub fn unsubscribe(&self, name_or_url: &str) -> Result<(String, u64)> {
        let name = subscribe::remove(&self.root, name_or_url)?;
        let articles = self.reader.feed(&name)?.map_or(0, |f| f.articles);
        // The state row goes too (SQLite serializes this with a running writer).
        let mut store = SqliteStore::open(&self.root.join("state.db"))?;
        store.remove_feed(&name)?;
        Ok((name, articles))
    }

    /// Subscribes to every feed of an OPML document; relative addresses are relative
    /// to `base_dir` (the OPML file's folder).
    pub fn import_opml(&self, text: &str, base_dir: &Path) -> Result<OpmlImport> {
        let outlines = opml::read(text)?;
        config_file::edit(&self.root, |doc, settings| {
            let mut settings = settings.clone();
            let mut report = OpmlImport::default();
            for outline in outlines {
                match subscribe::plan(&settings, &outline.url, None, outline.title.clone(), base_dir) {
                    Ok(feed) => {
                        config_file::add_feed(doc, &feed);
                        settings.feeds.push(feed.clone());
                        report.added.push(feed);
                    }
                    Err(err) => report.skipped.push((outline.url, err.to_string())),
                }
            }
            Ok(report)
        })
    }

    /// The subscriptions as an OPML 2.0 document.
    pub fn export_opml(&self) -> Result<String> {
        Ok(opml::write(&self.settings()?.feeds))
    }

    /// Checks the vault: every file readable, still the bytes it was archived with,
    /// recorded in state.db, and in the search index. `progress` sees (checked, all).
    /// It only reads: verify runs beside a fetch, and on a vault it may not write.
    pub fn verify(&self, progress: &mut dyn FnMut(usize, usize)) -> Result<Vec<String>> {
        let recorded = self.reader.recorded_files()?;
        let mut problems = feedvault_archive::verify::verify(&self.root, &recorded, progress)?;
        problems.extend(preserve::images::verify(&self.root, &self.reader.assets()?)?);
        problems.extend(self.verify_captures()?);
        match self.index() {
            Ok(index) => problems.extend(index::compare(index, &self.reader.article_paths()?)?),
            Err(err) => problems.push(err.to_string()),
        }
        Ok(problems)
    }

    /// Queues a change for the vault's writer (a daemon, or whoever writes next);
    /// durable when this returns.
    pub fn queue_request(&self, kind: RequestKind) -> Result<RequestId> {
        requests::Queue::new(&self.root).push(kind)
    }

    /// Whether requests wait in the queue.
    pub fn has_requests(&self) -> bool {
        requests::Queue::new(&self.root).has_pending()
    }

    /// Where a queued request is.
    pub fn request_status(&self, id: &RequestId) -> RequestStatus {
        requests::Queue::new(&self.root).status(id)
    }

    /// Whether another writer holds the vault now (a daemon, a `fetch`); in the
    /// writer's own process this is true too.
    pub fn writer_running(&self) -> Result<bool> {
        Ok(VaultLock::is_held(&self.root)?)
    }

    /// Becomes the vault's one writer, waiting up to `wait` for another to finish,
    /// and heals whatever a crash left behind.
    pub fn writer(&self, wait: Duration) -> Result<VaultWriter> {
        let lock = VaultLock::acquire(&self.root, wait)?;
        let settings = self.settings()?;
        let mut store = SqliteStore::open(&self.root.join("state.db"))?;
        for feed in &settings.feeds {
            store.ensure_feed(&feed.name, &feed.url)?;
        }
        // The index is derived: one that cannot be opened (damaged, an older schema)
        // is replaced by a new one, which healing fills.
        let (search, index_rebuilt) = match index::open(&self.root) {
            Ok(search) => (search, false),
            Err(_) => (SearchIndex::recreate(&self.root.join("index"))?, true),
        };
        let index_docs = search.num_docs();
        let indexer = Indexer::start(&self.root, search)?;
        let mut healed = heal::heal(&self.root, &mut store, &indexer, index_docs)?;
        healed.index_rebuilt = index_rebuilt;
        healed.temp_files_removed += preserve::images::files::remove_temp_files(&self.root)
            .map_err(|source| EngineError::Io { path: self.root.join("assets"), source })?;
        let fetcher = Fetcher::new(settings.fetch_options()?)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| EngineError::Other(format!("starting the runtime: {e}")))?;
        // Articles archived just before an interruption are still journaled for their
        // README indexes: the next cycle (or import) writes them, once the feeds'
        // titles an interrupted cycle did not record are known again.
        Ok(VaultWriter {
            root: self.root.clone(),
            archiver: Archiver::new(&self.root, store, settings.vault_settings(), lock),
            indexer,
            fetcher,
            runtime,
            healed,
        })
    }
}

/// The vault's one writer: holds the vault lock for as long as it lives.
pub struct VaultWriter {
    root: PathBuf,
    archiver: Archiver<SqliteStore>,
    indexer: Indexer,
    fetcher: Fetcher,
    runtime: tokio::runtime::Runtime,
    healed: HealReport,
}

impl VaultWriter {
    /// What opening healed.
    pub fn healed(&self) -> &HealReport {
        &self.healed
    }

    /// The runtime fetches run on (the daemon also waits for signals on it).
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }

    /// Runs one fetch cycle over the feeds due now (feedvault.toml read again first).
    pub fn fetch(
        &mut self,
        options: CycleOptions,
        stop: &AtomicBool,
        mut each: impl FnMut(&FeedResult),
    ) -> Result<CycleReport> {
        let settings = config_file::load(&self.root)?;
        cycle::run(self, &settings, options, stop, &mut each)
    }

    /// Whether requests wait in the queue (one folder listing: cheap to poll).
    pub fn has_requests(&self) -> bool {
        requests::Queue::new(&self.root).has_pending()
    }

    /// Carries out the queued requests in order, recording each outcome: subscribe
    /// and unsubscribe here, fetch now and publish now through `other` (the caller
    /// runs the cycle and publishes). A request that does not read is recorded as
    /// failed. Returns what was done, for the caller's log.
    pub fn carry_out_requests(
        &mut self,
        mut other: impl FnMut(&mut VaultWriter, &RequestKind) -> std::result::Result<String, String>,
    ) -> Result<Vec<requests::CarriedOut>> {
        let queue = requests::Queue::new(&self.root);
        let mut done = Vec::new();
        for taken in queue.take() {
            let outcome = match &taken.kind {
                Err(why) => Err(why.clone()),
                Ok(RequestKind::Subscribe { url, name, public_only }) => {
                    subscribe::add(&self.root, url, name.as_deref(), None, &self.root, *public_only)
                        .and_then(|feed| {
                            self.archiver.store_mut().ensure_feed(&feed.name, &feed.url)?;
                            Ok(format!("subscribed to {} as {}", feed.url, feed.name))
                        })
                        .map_err(|e| e.to_string())
                }
                Ok(RequestKind::Unsubscribe { feed }) => subscribe::remove(&self.root, feed)
                    .and_then(|name| {
                        self.archiver.store_mut().remove_feed(&name)?;
                        Ok(format!("unsubscribed from {name}; its articles stay"))
                    })
                    .map_err(|e| e.to_string()),
                Ok(kind) => other(self, kind),
            };
            queue.finish(&taken, &outcome)?;
            let what = taken.kind.as_ref().map(RequestKind::describe).unwrap_or_else(|_| "a request".to_owned());
            done.push((taken.id, what, outcome));
        }
        queue.prune();
        Ok(done)
    }

    /// When the next feed is due (ms), if any feed is subscribed and not gone.
    pub fn next_due(&self) -> Result<Option<i64>> {
        let settings = config_file::load(&self.root)?;
        let mut next = None;
        for feed in &settings.feeds {
            let state = self.archiver.store().feed(&feed.name)?.unwrap_or_default();
            if state.gone_since.is_some() {
                continue;
            }
            let at = state.next_check_at.unwrap_or(0);
            next = Some(next.map_or(at, |n: i64| n.min(at)));
        }
        Ok(next)
    }

    /// The site name of a feed's list: `list_name`, else the feed's title, else its name.
    pub(crate) fn site_name(&self, feed: &FeedSettings) -> String {
        let title = self.archiver.store().feed(&feed.name).ok().flatten().and_then(|f| f.title);
        [feed.list_name.clone(), title, feed.title.clone()]
            .into_iter()
            .flatten()
            .map(|t| t.trim().to_owned())
            .find(|t| lists::is_safe_site_name(t))
            .unwrap_or_else(|| feed.name.clone())
    }

    /// Brings article files from another archive into the vault and indexes them.
    pub fn import_archive(&mut self, dir: &Path) -> Result<feedvault_archive::import::ImportReport> {
        if !dir.is_dir() {
            return Err(EngineError::Usage(format!("{}: not a folder", dir.display())));
        }
        let settings = config_file::load(&self.root)?;
        let options = feedvault_archive::import::ImportOptions { folders: settings.import.folders.clone() };
        let mut report = feedvault_archive::import::import_archive(&mut self.archiver, dir, Utc::now(), &options)?;
        let articles = std::mem::take(&mut report.articles);
        self.indexer
            .add(articles.into_iter().map(|(path, feed, article)| index::document(path, &feed, article)).collect())?;
        self.indexer.flush()?;
        report.indexes = self.write_pending_indexes(&settings)?;
        if settings.vault.layout == Layout::Countdown {
            for feed in report.by_feed.keys() {
                let site = settings.feeds.iter().find(|f| &f.name == feed).map_or(feed.clone(), |f| self.site_name(f));
                self.write_list(feed, &site, settings.vault.timezone)?;
            }
        }
        Ok(report)
    }

    /// Rebuilds state.db's article records and the search index from the files.
    pub fn reindex(&mut self) -> Result<ReindexReport> {
        let mut rebuilt = feedvault_archive::reindex::reindex(&self.root, self.archiver.store_mut())?;
        let (captures, unreadable) = preserve::captures::rebuild(self)?;
        let (images, bad_lines) = preserve::images::reindex(self)?;
        let evidence =
            preserve::recheck::evidence::restore(&self.root, self.archiver.store_mut(), Utc::now().timestamp_millis())?;
        rebuilt.skipped.extend(unreadable);
        // A new index: whatever was there (an older schema, damage) is replaced.
        let dir = self.root.join("index");
        let search = SearchIndex::recreate(&dir)?;
        let placeholder = Indexer::start(&self.root, search)?;
        let old = std::mem::replace(&mut self.indexer, placeholder);
        drop(old);
        self.archiver.store_mut().mark_all_unindexed()?;
        let indexed = heal::index_unindexed(&self.root, self.archiver.store(), &self.indexer)?;
        let settings = config_file::load(&self.root)?;
        if settings.vault.layout == Layout::Countdown {
            for feed in &settings.feeds {
                let site = self.site_name(feed);
                self.write_list(&feed.name, &site, settings.vault.timezone)?;
            }
        }
        let indexes = self.write_indexes(&settings, Scope::All)?;
        let pending = self.archiver.store().index_pending()?;
        self.archiver.store_mut().clear_index_pending(&pending)?;
        Ok(ReindexReport {
            articles: rebuilt.articles,
            revisions: rebuilt.revisions,
            skipped: rebuilt
                .skipped
                .into_iter()
                .chain(bad_lines.iter().map(|line| format!("{}: line {line}", preserve::images::files::RECORDS)))
                .chain(evidence.1)
                .collect(),
            evidence: evidence.0,
            indexed,
            indexes,
            images,
            captures,
        })
    }

    /// Writes the README indexes of the days of the articles new or revised since
    /// they were last written (dated layout). state.db journals those articles with
    /// their records, so what an interruption left unwritten is written by the next
    /// writer; they leave the journal once their indexes are on disk.
    pub(crate) fn write_pending_indexes(&mut self, settings: &Settings) -> Result<Vec<String>> {
        let pending = self.archiver.store().index_pending()?;
        if pending.is_empty() {
            return Ok(Vec::new());
        }
        let written = self.write_indexes(settings, Scope::Changed(&pending))?;
        self.archiver.store_mut().clear_index_pending(&pending)?;
        Ok(written)
    }

    /// Writes the README indexes of `scope` (nothing in the countdown layout, which
    /// has lists): the vault-relative paths of the files whose bytes changed, which
    /// are journaled for the next commit.
    fn write_indexes(&mut self, settings: &Settings, scope: Scope<'_>) -> Result<Vec<String>> {
        if settings.vault.layout != Layout::Dated {
            return Ok(Vec::new());
        }
        let store = self.archiver.store();
        let titles: BTreeMap<String, Option<String>> =
            store.feeds()?.into_iter().map(|state| (state.slug, state.title)).collect();
        let feeds = settings
            .feeds
            .iter()
            .map(|feed| {
                let title = feed.title.clone().or_else(|| titles.get(&feed.name).cloned().flatten());
                (feed.name.clone(), FeedInfo { title, url: Some(feed.url.clone()) })
            })
            .collect();
        let written = indexes::write_indexes(&self.root, store, &feeds, settings.vault.timezone, scope)?;
        let journal: Vec<Unpublished> = written
            .iter()
            .map(|path| Unpublished { path: path.clone(), feed: None, change: ChangeKind::Index })
            .collect();
        self.mark_unpublished(&journal)?;
        Ok(written)
    }
}
