//! Checking a vault: every article file parses and still has the bytes it was
//! archived with, every state row points at a file, every file has a row, and no
//! temporary file is left behind.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;

use feedvault_core::Article;
use feedvault_core::identity::file_hash;
use feedvault_store::RecordedFile;

use crate::Result;
use crate::scan::scan;

/// Problems found, one line each; empty when the vault is sound. `recorded_files` is
/// what state.db records (every article and revision with its byte hash); `progress`
/// is told (files checked, files in all) as the check goes.
pub fn verify(
    root: &Path,
    recorded_files: &[RecordedFile],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<String>> {
    let found = scan(root)?;
    let mut problems = Vec::new();
    let recorded: HashMap<&str, Option<&str>> =
        recorded_files.iter().map(|f| (f.path.as_str(), f.file_hash.as_deref())).collect();
    let revision_files: Vec<&String> = found.revisions.iter().map(|(_, r)| r).collect();
    let on_disk: Vec<&String> = found.articles.iter().chain(revision_files.iter().copied()).collect();
    let total = on_disk.len();
    for (done, path) in on_disk.iter().enumerate() {
        if done % 256 == 0 {
            progress(done, total);
        }
        let bytes = match fs::read(root.join(path)) {
            Ok(bytes) => bytes,
            Err(err) => {
                problems.push(format!("{path}: unreadable: {err}"));
                continue;
            }
        };
        if let Err(err) = Article::from_file(&bytes) {
            problems.push(format!("{path}: not an article file: {err}"));
        }
        match recorded.get(path.as_str()) {
            None => problems.push(format!("{path}: file is not recorded in state.db (run `feedvault reindex`)")),
            Some(Some(hash)) if *hash != file_hash(&bytes) => problems
                .push(format!("{path}: changed since archived (its bytes no longer match the recorded SHA-256)")),
            Some(_) => {}
        }
    }
    progress(total, total);
    let on_disk: HashSet<&str> = on_disk.into_iter().map(String::as_str).collect();
    for file in recorded_files {
        if !on_disk.contains(file.path.as_str()) {
            problems.push(format!("{}: recorded in state.db but the file is missing", file.path));
        }
    }
    for path in &found.temp_files {
        problems.push(format!("{path}: temporary file left behind by an interrupted write"));
    }
    for path in &found.strays {
        problems.push(format!("{path}: not an article file (.md) in an article folder"));
    }
    Ok(problems)
}

/// Removes temporary files left by a crash (under the vault lock, so none is live).
pub fn remove_temp_files(root: &Path) -> Result<usize> {
    let found = scan(root)?;
    for path in &found.temp_files {
        let _ = fs::remove_file(root.join(path));
    }
    Ok(found.temp_files.len())
}
