//! Checking a vault: every article file parses, every state row points at a file,
//! every file has a row, and no temporary file is left behind.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use feedvault_core::Article;
use feedvault_store::Store;

use crate::Result;
use crate::scan::scan;

/// Problems found, one line each; empty when the vault is sound.
pub fn verify<S: Store>(root: &Path, store: &S) -> Result<Vec<String>> {
    let found = scan(root)?;
    let mut problems = Vec::new();
    let revision_files: Vec<&String> = found.revisions.iter().map(|(_, r)| r).collect();
    for path in found.articles.iter().chain(revision_files.iter().copied()) {
        match fs::read(root.join(path)) {
            Ok(bytes) => {
                if let Err(err) = Article::from_file(&bytes) {
                    problems.push(format!("{path}: not an article file: {err}"));
                }
            }
            Err(err) => problems.push(format!("{path}: unreadable: {err}")),
        }
    }
    let on_disk: HashSet<&str> =
        found.articles.iter().chain(revision_files.iter().copied()).map(String::as_str).collect();
    let articles = store.article_paths()?;
    let revisions = store.revision_paths()?;
    let recorded: HashSet<&str> = articles.iter().chain(revisions.iter()).map(String::as_str).collect();
    for path in articles.iter().chain(revisions.iter()) {
        if !on_disk.contains(path.as_str()) {
            problems.push(format!("{path}: recorded in state.db but the file is missing"));
        }
    }
    for path in found.articles.iter().chain(revision_files.iter().copied()) {
        if !recorded.contains(path.as_str()) {
            problems.push(format!("{path}: file is not recorded in state.db (run `feedvault reindex`)"));
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
