//! The kept images on disk: `assets/<ab>/<sha256>.<ext>`, each written atomically
//! (durable.rs) and never again (identical bytes are one file), and
//! `assets/records.jsonl`, an append-only line per image kept for an article, which
//! `reindex` reads back (assets/ is not derived; state.db's records of it are).
//! `verify` checks every file against the hash its name carries.

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::{self, BufRead, Write};
use std::path::Path;

use feedvault_core::identity::file_hash;
use feedvault_store::{ArticleAsset, AssetRow};
use serde::{Deserialize, Serialize};

/// The records file, relative to the vault.
pub const RECORDS: &str = "assets/records.jsonl";

/// One image kept for an article, as the records file holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub article: String,
    pub url: String,
    pub hash: String,
    pub media_type: String,
    pub bytes: u64,
    /// When it was kept (ms).
    pub at: i64,
}

impl Record {
    pub fn asset(&self) -> Option<AssetRow> {
        let ext = super::magic::extension(&self.media_type)?;
        is_hash(&self.hash).then(|| AssetRow {
            hash: self.hash.clone(),
            media_type: self.media_type.clone(),
            bytes: self.bytes,
            path: asset_path(&self.hash, ext),
        })
    }

    pub fn link(&self) -> ArticleAsset {
        ArticleAsset {
            article: self.article.clone(),
            url: self.url.clone(),
            kept: Ok(self.hash.clone()),
            retry: false,
            attempts: 1,
            tried_at: self.at,
        }
    }
}

/// The vault-relative path of a kept file.
pub fn asset_path(hash: &str, ext: &str) -> String {
    format!("assets/{}/{hash}.{ext}", &hash[..2])
}

/// SHA-256 of the bytes, lowercase hex (the file's name).
pub fn content_hash(bytes: &[u8]) -> String {
    file_hash(bytes)
}

/// 64 lowercase hex digits.
pub fn is_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Appends records and makes them durable (one writer: the vault lock's holder).
pub fn append(root: &Path, records: &[Record]) -> io::Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let path = root.join(RECORDS);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut text = String::new();
    for record in records {
        text.push_str(&serde_json::to_string(record).map_err(io::Error::other)?);
        text.push('\n');
    }
    let mut file = OpenOptions::new().create(true).append(true).open(&path)?;
    file.write_all(text.as_bytes())?;
    file.sync_data()
}

/// Every record in the file, and the lines that are not one (a torn last line of
/// an interrupted append, say), by line number.
pub fn read(root: &Path) -> io::Result<(Vec<Record>, Vec<usize>)> {
    let file = match fs::File::open(root.join(RECORDS)) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(err) => return Err(err),
    };
    let mut records = Vec::new();
    let mut bad = Vec::new();
    for (at, line) in io::BufReader::new(file).split(b'\n').enumerate() {
        let line = line?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Record>(&line) {
            Ok(record) if record.asset().is_some() => records.push(record),
            _ => bad.push(at + 1),
        }
    }
    Ok((records, bad))
}

/// Removes temporary files an interrupted write left under assets/ (the writer
/// calls it when it opens, under the vault lock, so none is live).
pub fn remove_temp_files(root: &Path) -> io::Result<usize> {
    let mut removed = 0;
    let Ok(folders) = fs::read_dir(root.join("assets")) else { return Ok(0) };
    for folder in folders {
        let folder = folder?;
        if !folder.file_type()?.is_dir() {
            continue;
        }
        for file in fs::read_dir(folder.path())? {
            let file = file?;
            if feedvault_archive::durable::is_temp_name(&file.file_name().to_string_lossy()) {
                fs::remove_file(file.path())?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// Problems with the kept files: each recorded (in state.db or the records file)
/// or found under assets/ is checked against the hash its name carries.
pub fn verify(root: &Path, recorded: &[AssetRow]) -> io::Result<Vec<String>> {
    let mut problems = Vec::new();
    let (records, bad) = read(root)?;
    for line in bad {
        problems.push(format!("{RECORDS}: line {line} is not a record of a kept image"));
    }
    let expected: BTreeSet<String> = recorded
        .iter()
        .map(|a| a.path.clone())
        .chain(records.iter().filter_map(|r| r.asset()).map(|a| a.path))
        .collect();
    let mut on_disk = BTreeSet::new();
    if let Ok(folders) = fs::read_dir(root.join("assets")) {
        for folder in folders {
            let folder = folder?;
            if !folder.file_type()?.is_dir() {
                continue;
            }
            let name = folder.file_name().to_string_lossy().into_owned();
            for file in fs::read_dir(folder.path())? {
                let file = file?;
                on_disk.insert(format!("assets/{name}/{}", file.file_name().to_string_lossy()));
            }
        }
    }
    let in_records: BTreeSet<&str> = records.iter().map(|r| r.hash.as_str()).collect();
    for asset in recorded.iter().filter(|a| !in_records.contains(a.hash.as_str())) {
        problems.push(format!("{}: recorded in state.db but not in {RECORDS} (reindex would forget it)", asset.path));
    }
    for path in expected.difference(&on_disk) {
        problems.push(format!("{path}: a kept image is missing"));
    }
    for path in &on_disk {
        let name = path.rsplit('/').next().unwrap_or_default();
        if feedvault_archive::durable::is_temp_name(name) {
            problems.push(format!("{path}: temporary file left behind by an interrupted write"));
            continue;
        }
        let Some(hash) = name.split_once('.').map(|(hash, _)| hash).filter(|h| is_hash(h)) else {
            problems.push(format!("{path}: not a kept image (its name is not a SHA-256)"));
            continue;
        };
        match fs::read(root.join(path)) {
            Ok(bytes) if content_hash(&bytes) == hash => {}
            Ok(_) => problems.push(format!("{path}: a kept image was altered (its bytes no longer match its SHA-256)")),
            Err(err) => problems.push(format!("{path}: unreadable: {err}")),
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(hash: &str) -> Record {
        Record {
            article: "archive/a/1.md".into(),
            url: "https://i.example/a.png".into(),
            hash: hash.into(),
            media_type: "image/png".into(),
            bytes: 4,
            at: 5,
        }
    }

    #[test]
    fn records_survive_a_torn_line_and_files_are_checked_against_their_names() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let bytes = b"\x89PNG";
        let hash = content_hash(bytes);
        let path = asset_path(&hash, "png");
        feedvault_archive::durable::write_file(&root.join(&path), bytes).unwrap();
        append(root, &[record(&hash)]).unwrap();
        let mut file = OpenOptions::new().append(true).open(root.join(RECORDS)).unwrap();
        file.write_all(b"{\"article\":\"torn").unwrap();
        let (records, bad) = read(root).unwrap();
        assert_eq!((records, bad), (vec![record(&hash)], vec![2]));
        let problems = verify(root, &[]).unwrap();
        assert_eq!(problems, [format!("{RECORDS}: line 2 is not a record of a kept image")]);
        fs::write(root.join(&path), b"\x89PNX").unwrap();
        let problems = verify(root, &[]).unwrap();
        assert!(problems[1].contains("was altered"), "{problems:?}");
        fs::remove_file(root.join(&path)).unwrap();
        let problems = verify(root, &[]).unwrap();
        assert_eq!(problems[1], format!("{path}: a kept image is missing"));
        let temp = root.join(format!("assets/{}/.{hash}.png.1.fvtmp", &hash[..2]));
        fs::write(&temp, b"half").unwrap();
        assert!(verify(root, &[]).unwrap().iter().any(|p| p.contains("temporary file left behind")));
        assert_eq!(remove_temp_files(root).unwrap(), 1);
        assert!(!temp.exists());
        let unrecorded = AssetRow {
            hash: "cd".repeat(32),
            media_type: "image/png".into(),
            bytes: 1,
            path: asset_path(&"cd".repeat(32), "png"),
        };
        let problems = verify(root, std::slice::from_ref(&unrecorded)).unwrap();
        assert!(
            problems.contains(&format!(
                "{}: recorded in state.db but not in {RECORDS} (reindex would forget it)",
                unrecorded.path
            )),
            "{problems:?}"
        );
        assert!(problems.contains(&format!("{}: a kept image is missing", unrecorded.path)), "{problems:?}");
    }
}
