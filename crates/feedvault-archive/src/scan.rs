//! Walking a vault's article folders: article files, revision files, and temporary
//! files left by a crash. The README indexes are not articles and are skipped by
//! name and place ([`crate::indexes::is_index_file`]).

use std::fs;
use std::path::Path;

use feedvault_core::Article;

use crate::durable::is_temp_name;
use crate::indexes::is_index_file;
use crate::{ArchiveError, Result, io_error};

/// What the article folders of a vault hold, as `/`-separated paths relative to it.
#[derive(Debug, Default)]
pub struct Scan {
    pub articles: Vec<String>,
    /// (article path, revision path)
    pub revisions: Vec<(String, String)>,
    pub temp_files: Vec<String>,
    /// Other files found in article folders (not `.md`).
    pub strays: Vec<String>,
}

/// The folder under `archive/` that holds the evidence of page re-checks.
pub const EVIDENCE_FOLDER: &str = ".evidence";

/// Scans `archive/` and `articles/` under `root` (not their `.evidence` folder).
pub fn scan(root: &Path) -> Result<Scan> {
    let mut scan = Scan::default();
    for folder in ["archive", "articles"] {
        if root.join(folder).is_dir() {
            walk(root, folder, &mut scan)?;
        }
    }
    scan.articles.sort();
    scan.revisions.sort();
    Ok(scan)
}

fn walk(root: &Path, relative: &str, scan: &mut Scan) -> Result<()> {
    let dir = root.join(relative);
    let entries = fs::read_dir(&dir).map_err(io_error(&dir))?;
    for entry in entries {
        let entry = entry.map_err(io_error(&dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = format!("{relative}/{name}");
        let kind = entry.file_type().map_err(io_error(entry.path()))?;
        if kind.is_dir() && name == EVIDENCE_FOLDER {
            // The re-checks' evidence (append-only records, not articles).
            continue;
        } else if kind.is_dir() {
            walk(root, &path, scan)?;
        } else if is_index_file(&path) {
            continue;
        } else if is_temp_name(&name) {
            scan.temp_files.push(path);
        } else if !name.ends_with(".md") {
            scan.strays.push(path);
        } else if let Some(article_stem) = relative.strip_suffix(".revisions") {
            scan.revisions.push((format!("{article_stem}.md"), path));
        } else {
            scan.articles.push(path);
        }
    }
    Ok(())
}

/// The feed an article path belongs to: the folder under `archive/` or `articles/`.
pub fn feed_of(path: &str) -> Option<&str> {
    let mut parts = path.split('/');
    parts.next()?;
    parts.next()
}

/// Reads an article file: `Ok(Err(why))` when the file is there but is not an
/// article file (to report and skip), `Err` when it cannot be read at all.
pub fn read_article(path: &Path) -> Result<std::result::Result<(Vec<u8>, Article), String>> {
    let bytes = fs::read(path).map_err(io_error(path))?;
    Ok(match Article::from_file(&bytes) {
        Ok(article) => Ok((bytes, article)),
        Err(source) => Err(ArchiveError::NotAnArticle { path: path.to_owned(), source }.to_string()),
    })
}
