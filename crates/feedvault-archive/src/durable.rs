//! Durable, atomic writes in batches.
//!
//! Every file is written to a temporary name beside its final one, and only renamed
//! into place after its bytes are on disk, so a crash leaves either the old file or
//! the new one, never a partial one. One fsync per file would cap the archive at a
//! few hundred articles a second, so a [`Batch`] stages many files, makes them all
//! durable with one `syncfs` (Linux; one fsync per file elsewhere), renames them, and
//! makes the renames durable with a second `syncfs`. Only then does the caller
//! record the batch in state.db. Temporary files left by a crash are named
//! `.<name>.<pid>.fvtmp`; `verify` reports them and the next fetch removes them.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The suffix of temporary files.
pub const TEMP_SUFFIX: &str = ".fvtmp";

/// Files staged for an atomic, durable commit.
pub struct Batch {
    staged: Vec<(PathBuf, PathBuf)>,
    sync_root: PathBuf,
    /// Folders known to exist, to skip a `mkdir` per file.
    folders: HashSet<PathBuf>,
}

impl Batch {
    /// A batch whose files live on the file system of `sync_root`.
    pub fn new(sync_root: &Path) -> Self {
        Batch { staged: Vec::new(), sync_root: sync_root.to_owned(), folders: HashSet::new() }
    }

    pub fn is_empty(&self) -> bool {
        self.staged.is_empty()
    }

    /// Writes `bytes` to a temporary file that [`Batch::commit`] renames to `path`.
    pub fn stage(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let parent = path.parent().ok_or_else(|| io::Error::other("a file path without a folder"))?;
        if !self.folders.contains(parent) {
            fs::create_dir_all(parent)?;
            self.folders.insert(parent.to_owned());
        }
        let name = path.file_name().ok_or_else(|| io::Error::other("a file path without a name"))?;
        let temp = parent.join(format!(".{}.{}{TEMP_SUFFIX}", name.to_string_lossy(), std::process::id()));
        let mut file = File::create(&temp)?;
        let written = file.write_all(bytes);
        if let Err(err) = written.and_then(|()| if cfg!(target_os = "linux") { Ok(()) } else { file.sync_all() }) {
            let _ = fs::remove_file(&temp);
            return Err(err);
        }
        self.staged.push((temp, path.to_owned()));
        Ok(())
    }

    /// Makes every staged file durable, then renames them into place durably.
    pub fn commit(mut self) -> io::Result<()> {
        if self.staged.is_empty() {
            return Ok(());
        }
        sync_all_files(&self.sync_root)?;
        for (temp, path) in &self.staged {
            fs::rename(temp, path)?;
        }
        let staged = std::mem::take(&mut self.staged);
        sync_renames(&self.sync_root, staged.iter().map(|(_, path)| path))
    }
}

impl Drop for Batch {
    /// A batch dropped without commit (an error midway) leaves nothing behind.
    fn drop(&mut self) {
        for (temp, _) in &self.staged {
            let _ = fs::remove_file(temp);
        }
    }
}

#[cfg(target_os = "linux")]
fn sync_all_files(root: &Path) -> io::Result<()> {
    rustix::fs::syncfs(File::open(root)?).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn sync_all_files(_root: &Path) -> io::Result<()> {
    Ok(()) // each file was synced when staged
}

#[cfg(target_os = "linux")]
fn sync_renames<'a>(root: &Path, _paths: impl Iterator<Item = &'a PathBuf>) -> io::Result<()> {
    sync_all_files(root)
}

#[cfg(not(target_os = "linux"))]
fn sync_renames<'a>(_root: &Path, paths: impl Iterator<Item = &'a PathBuf>) -> io::Result<()> {
    let mut dirs: Vec<&Path> = paths.filter_map(|p| p.parent()).collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Writes one file atomically and durably (for single files such as the config).
pub fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let root = path.parent().unwrap_or(Path::new("."));
    let mut batch = Batch::new(root);
    batch.stage(path, bytes)?;
    batch.commit()
}

/// True for the name of a temporary file this module writes.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(TEMP_SUFFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_committed_batch_puts_every_file_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let mut batch = Batch::new(dir.path());
        batch.stage(&dir.path().join("a/b/one.md"), b"1").unwrap();
        batch.stage(&dir.path().join("two.md"), b"2").unwrap();
        assert!(!dir.path().join("two.md").exists(), "nothing is visible before commit");
        batch.commit().unwrap();
        assert_eq!(fs::read(dir.path().join("a/b/one.md")).unwrap(), b"1");
        assert_eq!(fs::read(dir.path().join("two.md")).unwrap(), b"2");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2, "no temporary file left");
    }

    #[test]
    fn a_dropped_batch_leaves_nothing_and_keeps_old_files() {
        let dir = tempfile::tempdir().unwrap();
        write_file(&dir.path().join("keep.md"), b"old").unwrap();
        let mut batch = Batch::new(dir.path());
        batch.stage(&dir.path().join("keep.md"), b"new").unwrap();
        drop(batch);
        assert_eq!(fs::read(dir.path().join("keep.md")).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn staging_into_an_unwritable_place_fails_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("file"), b"x").unwrap();
        let mut batch = Batch::new(dir.path());
        assert!(batch.stage(&dir.path().join("file/child.md"), b"1").is_err());
        assert!(batch.is_empty());
    }

    #[test]
    fn temp_names() {
        assert!(is_temp_name(".a.md.123.fvtmp"));
        assert!(!is_temp_name("a.md"));
    }
}
