//! Raw captures on disk: response bodies under `captures/`, zstd-compressed and named
//! by the SHA-256 of the body as received (`captures/ab/<hash>.zst`), so a body
//! served unchanged a thousand times is kept once; and the capture records,
//! appended one JSON object a line to `captures/records.jsonl` (fsynced), each with
//! the article versions it produced, so `reindex` can rebuild state.db's capture
//! tables from the vault alone.
//!
//! A body file is written to a temporary name, made durable and renamed
//! ([`crate::durable`]): a crash never leaves a partial `.zst` under its final name.
//! A record line torn by a crash is skipped (and reported) when the records are read;
//! temporary files a crash left are removed by [`remove_temp_files`] (on `reindex`).

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use feedvault_core::identity::file_hash;
use feedvault_store::{CaptureLink, CaptureRow};
use serde::{Deserialize, Serialize};

use crate::{ArchiveError, Result, durable, io_error};

/// The folder of captures, relative to the vault.
pub const FOLDER: &str = "captures";
/// The records file, relative to the vault.
pub const RECORDS: &str = "captures/records.jsonl";
/// zstd's level for bodies: fast, and most of the gain on text.
const LEVEL: i32 = 3;

/// A capture's record, as written to the records file: the state.db row's fields,
/// then the article versions it produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureRecord {
    #[serde(flatten)]
    pub capture: CaptureRow,
    pub articles: Vec<ArticleVersion>,
}

/// An article version in a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleVersion {
    pub path: String,
    pub seen_at: i64,
}

impl CaptureRecord {
    pub fn new(row: &CaptureRow, links: &[CaptureLink]) -> Self {
        let articles =
            links.iter().map(|l| ArticleVersion { path: l.article_path.clone(), seen_at: l.seen_at }).collect();
        CaptureRecord { capture: row.clone(), articles }
    }

    /// The state.db row and links of this record.
    pub fn into_row(self) -> (CaptureRow, Vec<CaptureLink>) {
        let links =
            self.articles.into_iter().map(|a| CaptureLink { article_path: a.path, seen_at: a.seen_at }).collect();
        (self.capture, links)
    }
}

/// Where the body with SHA-256 `hash` (hex) is kept, relative to the vault.
pub fn body_path(hash: &str) -> String {
    let shard = hash.get(..2).unwrap_or("00");
    format!("{FOLDER}/{shard}/{hash}.zst")
}

/// Keeps a body: its hash, and whether it was written now (`false`: already kept).
pub fn keep_body(root: &Path, bytes: &[u8]) -> Result<(String, bool)> {
    let hash = file_hash(bytes);
    let path = root.join(body_path(&hash));
    if path.exists() {
        return Ok((hash, false));
    }
    let compressed = zstd::bulk::compress(bytes, LEVEL).map_err(io_error(&path))?;
    durable::write_file(&path, &compressed).map_err(io_error(&path))?;
    Ok((hash, true))
}

/// Reads a kept body back, decompressed, checking its hash; at most `limit` bytes.
pub fn read_body(root: &Path, hash: &str, limit: u64) -> Result<Vec<u8>> {
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(damaged(root.join(FOLDER), format!("{hash:?} is not a body hash")));
    }
    let path = root.join(body_path(hash));
    let file = File::open(&path).map_err(io_error(&path))?;
    let decoder = zstd::stream::read::Decoder::new(file).map_err(io_error(&path))?;
    let mut bytes = Vec::new();
    decoder.take(limit + 1).read_to_end(&mut bytes).map_err(io_error(&path))?;
    if bytes.len() as u64 > limit {
        return Err(damaged(path, format!("more than {limit} bytes")));
    }
    if file_hash(&bytes) != hash {
        return Err(damaged(path, "the body does not match its hash".to_owned()));
    }
    Ok(bytes)
}

/// The temporary files a crash left in the shards of `captures/`.
pub fn temp_files(root: &Path) -> Vec<PathBuf> {
    let Ok(shards) = fs::read_dir(root.join(FOLDER)) else { return Vec::new() };
    let shards = shards.flatten().filter(|shard| shard.file_type().is_ok_and(|t| t.is_dir()));
    let files = shards.flat_map(|shard| fs::read_dir(shard.path()).into_iter().flatten().flatten());
    files.filter(|file| durable::is_temp_name(&file.file_name().to_string_lossy())).map(|file| file.path()).collect()
}

/// Removes the temporary files a crash left under `captures/` (never a kept body);
/// returns how many.
pub fn remove_temp_files(root: &Path) -> Result<usize> {
    let found = temp_files(root);
    for file in &found {
        fs::remove_file(file).map_err(io_error(file))?;
    }
    Ok(found.len())
}

fn damaged(path: PathBuf, why: String) -> ArchiveError {
    ArchiveError::Io { path, source: io::Error::new(io::ErrorKind::InvalidData, why) }
}

/// Appends a record to the records file and makes it durable.
pub fn append_record(root: &Path, record: &CaptureRecord) -> Result<()> {
    let path = root.join(RECORDS);
    let folder = root.join(FOLDER);
    fs::create_dir_all(&folder).map_err(io_error(&folder))?;
    let mut line = serde_json::to_string(record).map_err(|e| damaged(path.clone(), e.to_string()))?;
    line.push('\n');
    let mut file = OpenOptions::new().read(true).append(true).create(true).open(&path).map_err(io_error(&path))?;
    // A line torn by a crash is ended first, so this record stands on a line of its own.
    if ends_torn(&mut file).map_err(io_error(&path))? {
        line.insert(0, '\n');
    }
    file.write_all(line.as_bytes()).map_err(io_error(&path))?;
    file.sync_data().map_err(io_error(&path))
}

fn ends_torn(file: &mut File) -> io::Result<bool> {
    if file.metadata()?.len() == 0 {
        return Ok(false);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
}

/// Every record in the records file, oldest first, and the lines that could not be
/// read (torn by a crash, or edited by hand), as messages. No file: no records.
pub fn read_records(root: &Path) -> Result<(Vec<CaptureRecord>, Vec<String>)> {
    let path = root.join(RECORDS);
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(err) => return Err(io_error(&path)(err)),
    };
    let (mut records, mut skipped) = (Vec::new(), Vec::new());
    for (number, line) in BufReader::new(file).split(b'\n').enumerate() {
        let line = line.map_err(io_error(&path))?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<CaptureRecord>(&line) {
            Ok(record) => records.push(record),
            Err(err) => skipped.push(format!("{RECORDS} line {}: not a capture record ({err})", number + 1)),
        }
    }
    Ok((records, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> CaptureRecord {
        let capture = CaptureRow {
            id: id.into(),
            kind: "feed".into(),
            request_url: "http://e.org/f".into(),
            final_url: "http://e.org/f".into(),
            fetched_at: 1,
            http_version: "HTTP/1.1".into(),
            status: 200,
            reason: "OK".into(),
            request_headers: String::new(),
            response_headers: "content-type: text/xml".into(),
            body_hash: "0".repeat(64),
            body_length: 0,
            media_type: None,
        };
        CaptureRecord { capture, articles: vec![ArticleVersion { path: "archive/a.md".into(), seen_at: 1 }] }
    }

    #[test]
    fn a_record_is_one_flat_object() {
        let line = serde_json::to_value(record("r1")).unwrap();
        let keys: Vec<&str> = line.as_object().unwrap().keys().map(String::as_str).collect();
        for key in ["id", "kind", "request_url", "body_hash", "media_type", "articles"] {
            assert!(keys.contains(&key), "{key} in {keys:?}");
        }
        assert!(!keys.contains(&"capture"), "the row's fields stand at the top: {keys:?}");
        let back: CaptureRecord = serde_json::from_value(line).unwrap();
        assert_eq!(back, record("r1"));
    }

    #[test]
    fn a_body_is_kept_once_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let body = "<rss>订阅</rss>".repeat(100);
        let (hash, written) = keep_body(dir.path(), body.as_bytes()).unwrap();
        assert!(written);
        let (again, written_again) = keep_body(dir.path(), body.as_bytes()).unwrap();
        assert_eq!((again.as_str(), written_again), (hash.as_str(), false));
        let on_disk = fs::read(dir.path().join(body_path(&hash))).unwrap();
        assert!(on_disk.len() < body.len(), "compressed");
        assert_eq!(read_body(dir.path(), &hash, 1 << 20).unwrap(), body.as_bytes());
        assert!(read_body(dir.path(), &hash, 10).unwrap_err().to_string().contains("more than 10 bytes"));
        assert!(read_body(dir.path(), "../../etc/passwd", 10).is_err());
        let folder = dir.path().join(body_path(&hash));
        let names: Vec<_> = fs::read_dir(folder.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
    }

    #[test]
    fn temporary_files_a_crash_left_are_removed_and_bodies_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (hash, _) = keep_body(dir.path(), b"kept").unwrap();
        let kept = dir.path().join(body_path(&hash));
        let temp = kept.with_file_name(format!(".{hash}.zst.4242{}", durable::TEMP_SUFFIX));
        fs::write(&temp, b"partial").unwrap();
        assert_eq!(remove_temp_files(dir.path()).unwrap(), 1);
        assert!(!temp.exists() && kept.exists());
        assert_eq!(remove_temp_files(dir.path()).unwrap(), 0);
        assert_eq!(remove_temp_files(&dir.path().join("nowhere")).unwrap(), 0);
    }

    #[test]
    fn a_body_that_does_not_match_its_name_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (hash, _) = keep_body(dir.path(), b"one").unwrap();
        let other = zstd::bulk::compress(b"two", 3).unwrap();
        fs::write(dir.path().join(body_path(&hash)), other).unwrap();
        let err = read_body(dir.path(), &hash, 100).unwrap_err().to_string();
        assert!(err.contains("does not match its hash"), "{err}");
        fs::write(dir.path().join(body_path(&hash)), b"not zstd").unwrap();
        assert!(read_body(dir.path(), &hash, 100).is_err());
    }

    #[test]
    fn records_append_and_a_torn_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_records(dir.path()).unwrap().0.len(), 0);
        append_record(dir.path(), &record("a")).unwrap();
        // A crash in the middle of the next line.
        let path = dir.path().join(RECORDS);
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(br#"{"id":"tor"#).unwrap();
        append_record(dir.path(), &record("b")).unwrap();
        let (records, skipped) = read_records(dir.path()).unwrap();
        assert_eq!(records.iter().map(|r| r.capture.id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(skipped.len(), 1);
        assert!(skipped[0].contains("line 2"), "{skipped:?}");
        let (row, links) = records[1].clone().into_row();
        assert_eq!(CaptureRecord::new(&row, &links), records[1]);
    }
}
