//! Which vault paths a commit may carry (`[publish.git] include`). Derived files
//! (state.db, index/), the lock, temporary files and secrets never are, whatever
//! the settings say; kept images (assets/) only with `include_assets`, raw captures
//! (captures/) with it or with `include = "vault"`.

use std::path::Path;

use feedvault_archive::durable::is_temp_name;
use feedvault_engine::settings::{GitSection, Include};

/// Top-level names that are never committed.
const NEVER: &[&str] = &[
    ".git",
    ".lock",
    "state.db",
    "state.db-wal",
    "state.db-shm",
    "state.db-journal",
    "index",
    "secrets.toml",
    "requests",
];

/// The folders `include = "archive"` commits (assets only when asked).
const ARCHIVE_ROOTS: &[&str] = &["archive", "articles", "lists"];

/// What one configuration commits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Selection {
    include: Include,
    assets: bool,
}

impl Selection {
    pub(crate) fn new(git: &GitSection) -> Selection {
        Selection { include: git.include, assets: git.include_assets }
    }

    /// Whether `path` (relative to the vault, `/`-separated) is committed.
    pub(crate) fn includes(&self, path: &str) -> bool {
        let mut parts = path.split('/');
        let Some(top) = parts.next() else { return false };
        if path.is_empty() || path.starts_with('/') || path.split('/').any(|p| p.is_empty() || p == "." || p == "..") {
            return false;
        }
        if NEVER.contains(&top) || path.rsplit('/').next().is_some_and(is_temp_name) {
            return false;
        }
        // Preserved images only when asked (git hosts limit sizes); raw captures when
        // asked too, or as part of the whole vault.
        if top == "assets" {
            return self.assets;
        }
        if top == "captures" {
            return self.assets || self.include == Include::Vault;
        }
        match self.include {
            Include::Archive => ARCHIVE_ROOTS.contains(&top),
            Include::Vault => true,
        }
    }

    /// Every committed file under the vault (for a first commit), sorted.
    pub(crate) fn walk(&self, root: &Path) -> std::io::Result<Vec<String>> {
        let mut found = Vec::new();
        let mut pending = vec![String::new()];
        while let Some(dir) = pending.pop() {
            let entries = match std::fs::read_dir(root.join(&dir)) {
                Ok(entries) => entries,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                Err(err) => return Err(err),
            };
            for entry in entries {
                let entry = entry?;
                let Ok(name) = entry.file_name().into_string() else { continue };
                let path = if dir.is_empty() { name } else { format!("{dir}/{name}") };
                let kind = entry.file_type()?;
                if kind.is_dir() {
                    if self.could_hold(&path) {
                        pending.push(path);
                    }
                } else if kind.is_file() && self.includes(&path) {
                    found.push(path);
                }
            }
        }
        found.sort();
        Ok(found)
    }

    /// Whether a folder may hold committed files (so the walk goes in).
    fn could_hold(&self, dir: &str) -> bool {
        self.includes(&format!("{dir}/x"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selection(include: Include, assets: bool) -> Selection {
        Selection { include, assets }
    }

    #[test]
    fn the_archive_and_its_indexes_only() {
        let archive = selection(Include::Archive, false);
        for yes in ["archive/nyt/2026/01/02/a.md", "articles/nyt/1048575.md", "lists/纽约时报.md", "archive/README.md"]
        {
            assert!(archive.includes(yes), "{yes}");
        }
        for no in ["feedvault.toml", "state.db", "index/meta.json", "assets/ab/cd", "captures/x.zst", "secrets.toml"] {
            assert!(!archive.includes(no), "{no}");
        }
        assert!(selection(Include::Archive, true).includes("assets/ab/cd"));
        assert!(selection(Include::Archive, true).includes("captures/ab/cd.zst"));
        assert!(!selection(Include::Vault, false).includes("assets/ab/cd"));
    }

    #[test]
    fn the_vault_but_never_derived_files_secrets_or_temporaries() {
        let vault = selection(Include::Vault, false);
        for yes in ["feedvault.toml", "archive/a/2026/01/02/x.md", "captures/ab.zst", "archive/.evidence/x.jsonl"] {
            assert!(vault.includes(yes), "{yes}");
        }
        for no in [
            "secrets.toml",
            "state.db",
            "state.db-wal",
            "index/x",
            ".lock",
            ".git/config",
            "assets/x",
            "archive/a/.x.md.12.fvtmp",
            "../outside",
            "archive/../secrets.toml",
            "/etc/passwd",
            "",
        ] {
            assert!(!vault.includes(no), "{no}");
        }
    }

    #[test]
    fn a_walk_finds_what_is_included() {
        let dir = tempfile::tempdir().unwrap();
        for file in ["archive/a/1.md", "archive/.evidence/e.jsonl", "lists/x.md", "state.db", "index/m", "secrets.toml"]
        {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let found = selection(Include::Archive, false).walk(dir.path()).unwrap();
        assert_eq!(found, ["archive/.evidence/e.jsonl", "archive/a/1.md", "lists/x.md"]);
    }
}
