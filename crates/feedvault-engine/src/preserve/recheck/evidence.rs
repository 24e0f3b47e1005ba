//! The evidence file: `<archive>/.evidence/checks.jsonl`, one JSON object a line,
//! appended to and synced before state.db records the same rows, journaled for the
//! next git commit, and read back by `reindex` (state.db is derived; this file is
//! not). A line names its article by path (paths do not change with revisions).
//!
//! A line: `{"at":MS,"kind":"gone","article":"archive/…md","url":"…","status":404,
//! "final_url":"…","headers":"…","body_hash":"…","content_hash":null,"detail":"…"}`.
//! Kinds: `gone`, `there` (found again after gone answers), `changed` (an edit seen
//! on the page, with the revision's content hash), `removed`, `vanished` (left the
//! feed's window while older items stayed).

use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use feedvault_store::checks::EvidenceRow;
use feedvault_store::{ChangeKind, SqliteStore, Store, Unpublished};
use serde::{Deserialize, Serialize};

use crate::{EngineError, Result};

/// The evidence file's folder, under the archive's folder.
pub const FOLDER: &str = ".evidence";
const FILE: &str = "checks.jsonl";

/// One line of the evidence file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub at: i64,
    pub kind: String,
    /// The article's path in the vault.
    pub article: String,
    /// The article's page.
    pub url: String,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub final_url: Option<String>,
    #[serde(default)]
    pub headers: String,
    #[serde(default)]
    pub body_hash: Option<String>,
    #[serde(default)]
    pub content_hash: Option<String>,
    #[serde(default)]
    pub detail: String,
}

impl Record {
    pub fn new(article: &str, url: &str, row: &EvidenceRow) -> Record {
        Record {
            at: row.at,
            kind: row.kind.clone(),
            article: article.to_owned(),
            url: url.to_owned(),
            status: row.status,
            final_url: row.final_url.clone(),
            headers: row.headers.clone(),
            body_hash: row.body_hash.clone(),
            content_hash: row.content_hash.clone(),
            detail: row.detail.clone(),
        }
    }

    pub fn row(&self) -> EvidenceRow {
        EvidenceRow {
            at: self.at,
            kind: self.kind.clone(),
            status: self.status,
            final_url: self.final_url.clone(),
            headers: self.headers.clone(),
            body_hash: self.body_hash.clone(),
            content_hash: self.content_hash.clone(),
            detail: self.detail.clone(),
        }
    }
}

/// The vault-relative path of the evidence file of an archive folder (`archive`).
pub fn relative_path(archive_folder: &str) -> String {
    format!("{archive_folder}/{FOLDER}/{FILE}")
}

/// Appends records and syncs them to disk, then journals the file for the next commit.
pub fn append(root: &Path, archive_folder: &str, store: &mut SqliteStore, records: &[Record]) -> Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let relative = relative_path(archive_folder);
    let path = root.join(&relative);
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| EngineError::Io { path, source }
    };
    let dir = path.parent().map(Path::to_owned).unwrap_or_else(|| root.to_owned());
    let created = !dir.exists();
    fs::create_dir_all(&dir).map_err(io(&dir))?;
    let mut text = String::new();
    for record in records {
        let line = serde_json::to_string(record)
            .map_err(|e| EngineError::Other(format!("writing evidence: {e} (a bug in feedvault)")))?;
        text.push_str(&line);
        text.push('\n');
    }
    let mut file = OpenOptions::new().create(true).append(true).open(&path).map_err(io(&path))?;
    file.write_all(text.as_bytes()).map_err(io(&path))?;
    file.sync_all().map_err(io(&path))?;
    if created {
        // The new folder's entry must reach the disk too.
        if let Some(parent) = dir.parent() {
            fs::File::open(parent).and_then(|d| d.sync_all()).map_err(io(parent))?;
        }
    }
    store.add_unpublished(&[Unpublished { path: relative, feed: None, change: ChangeKind::Index }])?;
    Ok(())
}

/// Reads the evidence files of a vault (`archive/` and `articles/`), oldest line
/// first; lines that cannot be read are returned as problems.
pub fn read_all(root: &Path) -> Result<(Vec<Record>, Vec<String>)> {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for folder in ["archive", "articles"] {
        let path: PathBuf = root.join(relative_path(folder));
        let file = match fs::File::open(&path) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(EngineError::Io { path, source }),
        };
        for (number, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|source| EngineError::Io { path: path.clone(), source })?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Record>(&line) {
                Ok(record) => records.push(record),
                Err(e) => problems.push(format!(
                    "{} line {}: not an evidence record ({e})",
                    relative_path(folder),
                    number + 1
                )),
            }
        }
    }
    records.sort_by_key(|r| r.at);
    Ok((records, problems))
}

/// Rebuilds state.db's check records from the evidence files (after the article
/// records were rebuilt). Returns the records restored and the problems found.
pub fn restore(root: &Path, store: &mut SqliteStore, now_ms: i64) -> Result<(usize, Vec<String>)> {
    let (records, mut problems) = read_all(root)?;
    let mut restored = 0;
    for record in records {
        let Some(article) = store.article_by_path(&record.article)? else {
            problems.push(format!("evidence for {}: no such article", record.article));
            continue;
        };
        store.replay_evidence(article.id, &record.row(), now_ms)?;
        restored += 1;
    }
    Ok((restored, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_bad_lines_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::in_memory().unwrap();
        let row = EvidenceRow {
            at: 5,
            kind: "gone".into(),
            status: Some(410),
            headers: "HTTP 301 Location: https://a.example/\n".into(),
            body_hash: Some("ab".into()),
            ..EvidenceRow::default()
        };
        let first = Record::new("archive/a/1.md", "https://a.example/1", &row);
        let second = Record::new("archive/a/2.md", "https://a.example/2", &EvidenceRow { at: 1, ..row.clone() });
        append(dir.path(), "archive", &mut store, std::slice::from_ref(&first)).unwrap();
        append(dir.path(), "archive", &mut store, std::slice::from_ref(&second)).unwrap();
        let path = dir.path().join("archive/.evidence/checks.jsonl");
        let mut text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2, "appended");
        text.push_str("{not json\n");
        fs::write(&path, text).unwrap();
        let (records, problems) = read_all(dir.path()).unwrap();
        assert_eq!(records, [second, first.clone()], "oldest first");
        assert_eq!(records[1].row(), row);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("line 3"), "{problems:?}");
        let journal = store.unpublished().unwrap();
        assert_eq!(journal.len(), 1);
        assert_eq!(journal[0].path, "archive/.evidence/checks.jsonl");
        // Evidence for an article that is not in state.db is a problem, not a failure.
        let (restored, problems) = restore(dir.path(), &mut store, 0).unwrap();
        assert_eq!(restored, 0);
        assert_eq!(problems.len(), 3);
    }
}
