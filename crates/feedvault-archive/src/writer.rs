//! From a feed's items to article files: new articles, new revisions, nothing for
//! items seen before unchanged.
//!
//! For each item: its identity decides which article it is; an unknown identity is a
//! new article at a new path (decided now, never moved); a known one whose title or
//! body changed becomes a new version, the previous file kept under `.revisions/`.
//! Files for one feed are written as one durable [`Batch`], and only then recorded in
//! state.db in one transaction, so state never points at a file that is not there.
//! An article archived before raw hashes were recorded that today's parser reads
//! differently only as the parser fixes explain ([`crate::legacy`]) is unchanged, once.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use feedvault_core::identity::{file_hash, item_key, sha256_hex};
use feedvault_core::{Article, Item, slug};
use feedvault_store::{ArticleRow, Change, Lookup, Origin, RevisionRow, Store};

use crate::durable::Batch;
use crate::layout::{self, Layout};
use crate::lock::VaultLock;
use crate::{ArchiveError, Result, io_error};

/// How a vault arranges and dates its files.
#[derive(Debug, Clone, Copy)]
pub struct VaultSettings {
    pub layout: Layout,
    pub zone: Tz,
}

impl Default for VaultSettings {
    fn default() -> Self {
        VaultSettings { layout: Layout::Dated, zone: chrono_tz::UTC }
    }
}

/// What archiving one feed's items did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ArchiveReport {
    pub new: usize,
    pub revised: usize,
    pub unchanged: usize,
    /// Paths written (new articles and new versions), relative to the vault.
    pub written: Vec<String>,
    /// The current version of every article that is new or changed (including a
    /// file adopted after a crash), for the search index.
    pub changed: Vec<(String, Article)>,
}

/// Writes articles into a vault. Holding one means holding the vault lock.
pub struct Archiver<S: Store> {
    root: PathBuf,
    store: S,
    settings: VaultSettings,
    /// Next countdown id per feed (countdown layout only).
    countdown_next: HashMap<String, u32>,
    _lock: VaultLock,
}

/// What [`Archiver::stage_revision`] did: the revision to record (if its file exists
/// or is staged), and whether the article file already holds the incoming version.
struct Revision {
    row: Option<RevisionRow>,
    already_current: bool,
}

/// What to do with one item of a feed, decided from what state.db knows of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemAction {
    /// No article is this item: a new one.
    New,
    /// The article already holds this version. `adopt`: record the item's identity
    /// (and feed) on a row that lacked it or had another spelling of it; `raw_seen`:
    /// record the item's raw bytes.
    Unchanged { adopt: bool, raw_seen: bool },
    /// The title or body changed: a new version, the old one kept as a revision.
    Revised { adopt: bool },
}

/// The pure decision for one item. An item whose raw bytes are those archived last
/// time is unchanged even when today's parser reads them differently (a parser fix
/// must never look like an edit). So is an item of a row archived before raw hashes
/// were recorded when `reads_alike` (the archived version differs from today's
/// reading only as the parser fixes explain): its raw hash is recorded then.
pub fn classify(
    feed: &str,
    key: &str,
    found: Option<&ArticleRow>,
    content_hash: &str,
    raw_hash: Option<&str>,
    reads_alike: bool,
) -> ItemAction {
    let Some(row) = found else { return ItemAction::New };
    let adopt = row.item_key.as_deref() != Some(key) || row.feed != feed;
    let same_raw = raw_hash.is_some() && row.raw_hash.as_deref() == raw_hash;
    let legacy = reads_alike && raw_hash.is_some() && row.raw_hash.is_none();
    if row.content_hash == content_hash || same_raw || legacy {
        let raw_seen = raw_hash.is_some() && !same_raw;
        ItemAction::Unchanged { adopt, raw_seen }
    } else {
        ItemAction::Revised { adopt }
    }
}

/// Records an item's identity on the row it matched (and moves the row to `feed`
/// when it belonged to no subscription).
fn adoption(row: &ArticleRow, feed: &str, key: String) -> Change {
    Change::Adopt { article_id: row.id, item_key: key, feed: (row.feed != feed).then(|| feed.to_owned()) }
}

/// The identity form of an article's link (no fragment, no `utm_*`), when it has one.
pub fn link_key(url: &str) -> Option<String> {
    url::Url::parse(url).ok().map(|u| feedvault_core::link::identity_form(&u))
}

/// Hex digits of the identity hash in a new file name; more only on a collision.
const HASH_LENGTHS: [usize; 3] = [8, 16, 64];

impl<S: Store> Archiver<S> {
    pub fn new(root: &Path, store: S, settings: VaultSettings, lock: VaultLock) -> Self {
        Archiver { root: root.to_owned(), store, settings, countdown_next: HashMap::new(), _lock: lock }
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    /// Gives the store back (the lock goes with the archiver).
    pub fn into_parts(self) -> (S, VaultLock) {
        (self.store, self._lock)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn settings(&self) -> VaultSettings {
        self.settings
    }

    /// Archives the items of one feed seen at `now`.
    pub fn archive_items(&mut self, feed: &str, items: &[Item], now: DateTime<Utc>) -> Result<ArchiveReport> {
        let now_ms = now.timestamp_millis();
        let mut report = ArchiveReport::default();
        let mut batch = Batch::new(&self.root);
        let mut changes = Vec::new();
        let mut keys_this_batch = HashSet::new();
        let mut paths_this_batch = HashSet::new();
        let mut claimed = HashSet::new();
        // Oldest first, so that in the countdown layout the newest gets the lowest id
        // and sorts first (feeds list newest first; undated items count as newest).
        let mut order: Vec<&Item> = items.iter().rev().collect();
        order.sort_by_key(|item| item.time().unwrap_or(now));
        for item in order {
            let key = item_key(item);
            if !keys_this_batch.insert(key.clone()) {
                continue; // the same item twice in one document: the first one counts
            }
            let article = Article::from_item(item, now);
            let content_hash = article.content_hash();
            let raw_hash = item.raw_hash.clone();
            // A row found by hash or URL (identity unknown) belongs to one item of a
            // batch only: a second item sharing its link is a different article.
            let found = self
                .find(feed, &key, item, &article, &content_hash)?
                .filter(|row| claimed.insert(row.id) || row.item_key.is_some());
            let alike = self.legacy_reads_alike(found.as_ref(), item, &article, &content_hash)?;
            let action = classify(feed, &key, found.as_ref(), &content_hash, raw_hash.as_deref(), alike);
            match (action, found) {
                (ItemAction::Unchanged { adopt, raw_seen }, Some(row)) => {
                    if adopt {
                        changes.push(adoption(&row, feed, key));
                    }
                    if let (true, Some(raw_hash)) = (raw_seen, raw_hash) {
                        changes.push(Change::RawSeen { article_id: row.id, raw_hash });
                    }
                    report.unchanged += 1;
                }
                (ItemAction::Revised { adopt }, Some(row)) => {
                    let revision = self.stage_revision(&mut batch, &row, &content_hash)?;
                    let path = self.root.join(&row.path);
                    let bytes = article.to_file();
                    if revision.as_ref().is_none_or(|r| !r.already_current) {
                        batch.stage(&path, bytes.as_bytes()).map_err(io_error(&path))?;
                    }
                    let revision = revision.and_then(|r| r.row);
                    if adopt {
                        changes.push(adoption(&row, feed, key));
                    }
                    if let Some(revision) = &revision {
                        report.written.push(revision.path.clone());
                    }
                    changes.push(Change::Revise {
                        article_id: row.id,
                        title: article.title.clone(),
                        url: article.url.clone(),
                        time_ms: article.time.millis(),
                        content_hash,
                        seen_at: now_ms,
                        revision,
                        file_hash: file_hash(bytes.as_bytes()),
                        raw_hash,
                    });
                    report.revised += 1;
                    report.written.push(row.path.clone());
                    report.changed.push((row.path, article));
                }
                _ => {
                    let time = article.time.to_datetime().unwrap_or(now);
                    let (path, already_on_disk) =
                        self.new_path(feed, &key, &article, time, &content_hash, &paths_this_batch)?;
                    let bytes = article.to_file();
                    if !already_on_disk {
                        let full = self.root.join(&path);
                        batch.stage(&full, bytes.as_bytes()).map_err(io_error(&full))?;
                        report.written.push(path.clone());
                    }
                    paths_this_batch.insert(path.clone());
                    changes.push(Change::Insert(ArticleRow {
                        id: 0,
                        feed: feed.to_owned(),
                        key_hash: layout::key_hash_of(&path).map(str::to_owned),
                        item_key: Some(key),
                        path: path.clone(),
                        url: article.url.clone(),
                        title: article.title.clone(),
                        time_ms: article.time.millis(),
                        content_hash,
                        first_seen_at: now_ms,
                        version_seen_at: now_ms,
                        revisions: 0,
                        origin: Origin::Fetch,
                        file_hash: Some(file_hash(bytes.as_bytes())),
                        link_key: link_key(&article.url),
                        raw_hash,
                    }));
                    report.changed.push((path, article));
                    report.new += 1;
                }
            }
        }
        // The journal names every file before it reaches its place, so a crash after
        // the renames and before state.db records them is healed by the next writer.
        if !batch.is_empty() {
            self.store.add_pending(feed, &report.written, now_ms)?;
        }
        batch.commit().map_err(io_error(&self.root))?;
        if !changes.is_empty() {
            self.store.apply(&changes)?;
        }
        Ok(report)
    }

    /// What [`Archiver::archive_items`] would do with `item` if it came alone now
    /// (nothing is written): callers that do work for new or changed items only
    /// (fetching their pages) ask first.
    pub fn action_for(&self, feed: &str, item: &Item, now: DateTime<Utc>) -> Result<ItemAction> {
        let key = item_key(item);
        let article = Article::from_item(item, now);
        let content_hash = article.content_hash();
        let found = self.find(feed, &key, item, &article, &content_hash)?;
        let alike = self.legacy_reads_alike(found.as_ref(), item, &article, &content_hash)?;
        Ok(classify(feed, &key, found.as_ref(), &content_hash, item.raw_hash.as_deref(), alike))
    }

    /// Whether `found`, a row archived before raw hashes were recorded whose text is
    /// not the item's as read today, holds a version that differs from it only as the
    /// parser fixes explain. Reads the article file only for such rows.
    fn legacy_reads_alike(
        &self,
        found: Option<&ArticleRow>,
        item: &Item,
        article: &Article,
        content_hash: &str,
    ) -> Result<bool> {
        let Some(row) = found.filter(|r| r.raw_hash.is_none() && r.content_hash != content_hash) else {
            return Ok(false);
        };
        if item.raw_hash.is_none() {
            return Ok(false);
        }
        let path = self.root.join(&row.path);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(err) => return Err(io_error(&path)(err)),
        };
        Ok(Article::from_file(&bytes).is_ok_and(|archived| crate::legacy::reads_alike(&archived, article, item)))
    }

    /// The archived article an item (identity `key`, read as `article`) is, by every
    /// lookup the store knows.
    fn find(
        &self,
        feed: &str,
        key: &str,
        item: &Item,
        article: &Article,
        content_hash: &str,
    ) -> Result<Option<ArticleRow>> {
        let key_hash = sha256_hex(&[key.as_bytes()]);
        let link_key = link_key(&article.url);
        let earlier_keys = crate::legacy::earlier_keys(item, key, content_hash);
        let lookup = Lookup {
            feed,
            item_key: key,
            key_hash: &key_hash[..8],
            url: &article.url,
            link_key: link_key.as_deref(),
            content_hash: Some(content_hash),
            raw_hash: item.raw_hash.as_deref(),
            earlier_keys: &earlier_keys,
        };
        Ok(self.store.find_article(lookup)?)
    }

    /// Stages a copy of an article's current file as a revision. When the file
    /// already holds the incoming version (a crash after the files were written but
    /// before state.db was), nothing is staged: the revision written then is kept and
    /// recorded, never overwritten.
    fn stage_revision(&self, batch: &mut Batch, row: &ArticleRow, incoming_hash: &str) -> Result<Option<Revision>> {
        let current = self.root.join(&row.path);
        let bytes = match fs::read(&current) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(io_error(&current)(err)),
        };
        let path = layout::revision_path(&row.path, row.version_seen_at);
        let full = self.root.join(&path);
        let record = RevisionRow {
            path,
            content_hash: row.content_hash.clone(),
            seen_at: row.version_seen_at,
            file_hash: Some(file_hash(&bytes)),
        };
        let already_current = Article::from_file(&bytes).is_ok_and(|a| a.content_hash() == incoming_hash);
        if already_current || full.exists() {
            let row = full.exists().then_some(record);
            return Ok(Some(Revision { row, already_current }));
        }
        batch.stage(&full, &bytes).map_err(io_error(&full))?;
        Ok(Some(Revision { row: Some(record), already_current: false }))
    }

    /// Decides the path of a new article. Returns the path and whether an identical
    /// file is already there (written before a crash that lost its state row).
    pub(crate) fn new_path(
        &mut self,
        feed: &str,
        key: &str,
        article: &Article,
        time: DateTime<Utc>,
        content_hash: &str,
        taken_in_batch: &HashSet<String>,
    ) -> Result<(String, bool)> {
        if self.settings.layout == Layout::Countdown {
            let id = self.next_countdown_id(feed)?;
            return Ok((layout::countdown_path(feed, id), false));
        }
        for hash_len in HASH_LENGTHS {
            let name = slug::article_slug(key, &article.url, &article.title, hash_len);
            let path = layout::dated_path(feed, time, self.settings.zone, &name);
            if taken_in_batch.contains(&path) || self.store.article_by_path(&path)?.is_some() {
                continue;
            }
            match fs::read(self.root.join(&path)) {
                Err(_) => return Ok((path, false)),
                Ok(bytes) => match Article::from_file(&bytes) {
                    Ok(existing) if existing.content_hash() == content_hash => return Ok((path, true)),
                    _ => continue, // someone else's file: never overwrite it
                },
            }
        }
        Err(ArchiveError::NoFreeName(self.root.join("archive").join(feed)))
    }

    pub(crate) fn next_countdown_id(&mut self, feed: &str) -> Result<u32> {
        let next = match self.countdown_next.get(feed) {
            Some(&next) => next,
            None => {
                let dir = self.root.join(layout::Layout::Countdown.root()).join(feed);
                let lowest = match fs::read_dir(&dir) {
                    Ok(entries) => entries
                        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".md")?.parse::<u32>().ok())
                        .min(),
                    Err(_) => None,
                };
                lowest.map_or(layout::COUNTDOWN_START, |l| l.saturating_sub(1))
            }
        };
        self.countdown_next.insert(feed.to_owned(), next.saturating_sub(1));
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(feed: &str, key: Option<&str>, content: &str, raw: Option<&str>) -> ArticleRow {
        ArticleRow {
            id: 1,
            feed: feed.into(),
            item_key: key.map(Into::into),
            key_hash: None,
            path: "archive/f/a.md".into(),
            url: String::new(),
            title: String::new(),
            time_ms: None,
            content_hash: content.into(),
            first_seen_at: 0,
            version_seen_at: 0,
            revisions: 0,
            origin: Origin::Fetch,
            file_hash: None,
            link_key: None,
            raw_hash: raw.map(Into::into),
        }
    }

    #[test]
    fn item_decisions() {
        use ItemAction::*;
        let cases = [
            // (found row, incoming content hash, incoming raw hash, expected)
            (None, "c1", Some("r1"), New),
            (
                Some(row("f", Some("id:1"), "c1", Some("r1"))),
                "c1",
                Some("r1"),
                Unchanged { adopt: false, raw_seen: false },
            ),
            // Same content, raw bytes never recorded: record them.
            (Some(row("f", Some("id:1"), "c1", None)), "c1", Some("r1"), Unchanged { adopt: false, raw_seen: true }),
            // A parser fix: the same raw bytes now parse to other text; not an edit.
            (
                Some(row("f", Some("id:1"), "c1", Some("r1"))),
                "c2",
                Some("r1"),
                Unchanged { adopt: false, raw_seen: false },
            ),
            // A real edit: other bytes, other text.
            (Some(row("f", Some("id:1"), "c1", Some("r1"))), "c2", Some("r2"), Revised { adopt: false }),
            (Some(row("f", Some("id:1"), "c1", None)), "c2", None, Revised { adopt: false }),
            // Rows without an identity (rebuilt, imported) are adopted.
            (Some(row("f", None, "c1", None)), "c1", None, Unchanged { adopt: true, raw_seen: false }),
            (Some(row("f", None, "c1", None)), "c2", None, Revised { adopt: true }),
            // An article of another (unsubscribed) feed is adopted by this one.
            (Some(row("imported", Some("link:x"), "c1", None)), "c1", None, Unchanged { adopt: true, raw_seen: false }),
            // Found by raw bytes or link, its identity spelled otherwise: the new one.
            (
                Some(row("f", Some("id:old"), "c1", Some("r1"))),
                "c2",
                Some("r1"),
                Unchanged { adopt: true, raw_seen: false },
            ),
        ];
        for (i, (found, content, raw, want)) in cases.into_iter().enumerate() {
            assert_eq!(classify("f", "id:1", found.as_ref(), content, raw, false), want, "case {i}");
        }
    }

    #[test]
    fn a_legacy_row_read_alike_is_unchanged_once() {
        use ItemAction::*;
        let legacy = row("f", Some("id:1"), "c1", None);
        let decide = |found: &ArticleRow, raw, alike| classify("f", "id:1", Some(found), "c2", raw, alike);
        assert_eq!(decide(&legacy, Some("r1"), true), Unchanged { adopt: false, raw_seen: true });
        assert_eq!(decide(&legacy, Some("r1"), false), Revised { adopt: false }, "an edit");
        assert_eq!(decide(&legacy, None, true), Revised { adopt: false }, "nothing would mark it seen");
        let recorded = row("f", Some("id:1"), "c1", Some("r0"));
        assert_eq!(decide(&recorded, Some("r1"), true), Revised { adopt: false }, "only rows without a raw hash");
    }
}
