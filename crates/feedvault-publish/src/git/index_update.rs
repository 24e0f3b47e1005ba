//! Keeping `.git/index` in step with a commit, for the paths it touched, so that
//! `git status` in the vault stays clean and a later `git commit -a` reverts nothing.
//!
//! Git's lock protocol: `index.lock` is created exclusively before the index is read
//! (an existing one is another git at work: a clear error, nothing written), the
//! new index is written into it and synced, and it replaces the index by a rename
//! only once the branch has moved ([`PendingIndex::apply`]); dropped unapplied, the
//! lock is removed and the index is untouched. The new index is a splice of the old
//! file ([`index_file`]); an index it cannot splice is updated with libgit2 instead,
//! which parses and rewrites all of it.

use std::fs::{File, OpenOptions};
use std::io::Read as _;
use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use git2::{IndexEntry, IndexTime, Oid, Repository};

use super::index_file::{self, IndexFile, NewEntry, Refusal, Update};
use super::{GitError, Result, git_error};

/// A path the commit changed: its blob and file metadata, or `None` when removed.
pub(crate) struct Touched<'a> {
    pub path: &'a str,
    pub present: Option<(Oid, std::fs::Metadata)>,
}

/// The index update, ready to be applied once the branch has moved.
pub(crate) struct PendingIndex {
    how: How,
}

enum How {
    Splice(Lock),
    /// The index as libgit2 read it, with the updates made in memory, and why the
    /// file could not be spliced (for the tests).
    Libgit2(git2::Index, #[cfg_attr(not(test), allow(dead_code))] Refusal),
}

impl PendingIndex {
    /// Puts the new index in place.
    pub(crate) fn apply(self) -> Result<()> {
        match self.how {
            How::Splice(lock) => lock.commit(),
            How::Libgit2(mut index, _) => index.write().map_err(git_error("writing the index")),
        }
    }

    /// Why the index could not be spliced, when it could not.
    #[cfg(test)]
    pub(crate) fn refusal(&self) -> Option<&Refusal> {
        match &self.how {
            How::Splice(_) => None,
            How::Libgit2(_, refusal) => Some(refusal),
        }
    }
}

/// Takes the index lock and prepares the index with `touched` applied.
#[cfg(test)]
pub(crate) fn prepare(repo: &Repository, touched: &[Touched<'_>]) -> Result<PendingIndex> {
    match lock(repo)?.splice(touched)? {
        Spliced::Done(written) => Ok(written.pending()),
        Spliced::Refused(refusal) => with_libgit2(repo, touched, refusal),
    }
}

/// Takes the index lock (before anything of the commit is written).
pub(crate) fn lock(repo: &Repository) -> Result<IndexLock> {
    let path = repo.path().join("index");
    Ok(IndexLock { lock: Lock::acquire(&path)?, path })
}

/// The index lock, held; [`IndexLock::splice`] needs no repository, so it can run
/// beside the building of the commit.
pub(crate) struct IndexLock {
    lock: Lock,
    path: PathBuf,
}

/// What splicing came to.
pub(crate) enum Spliced {
    /// The new index is in the lock file.
    Done(Written),
    /// The lock is released: [`with_libgit2`] takes it again.
    Refused(Refusal),
}

/// A spliced index written into the held lock.
pub(crate) struct Written(Lock);

impl Written {
    pub(crate) fn pending(self) -> PendingIndex {
        PendingIndex { how: How::Splice(self.0) }
    }
}

impl IndexLock {
    /// Reads the index and writes it with `touched` applied into the lock file.
    pub(crate) fn splice(self, touched: &[Touched<'_>]) -> Result<Spliced> {
        let IndexLock { mut lock, path } = self;
        let io = |source| GitError::Io { path: path.clone(), source };
        let (old, racy_since, ours) = match File::open(&path) {
            Ok(mut file) => {
                let meta = file.metadata().map_err(io)?;
                let mut bytes = Vec::new();
                file.read_to_end(&mut bytes).map_err(io)?;
                let ours = stamp::matches(&path, &meta, &bytes);
                (bytes, meta.mtime().clamp(0, i64::from(u32::MAX)) as u32, ours)
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => (index_file::empty(), u32::MAX, true),
            Err(err) => return Err(io(err)),
        };
        let updates: Vec<Update<'_>> = touched
            .iter()
            .map(|t| Update { path: t.path.as_bytes(), entry: t.present.as_ref().map(new_entry) })
            .collect();
        // An index this module wrote itself, untouched since, is not hashed again.
        let index = if ours { IndexFile::parse_unverified(&old) } else { IndexFile::parse(&old) };
        let parsed = index.and_then(|index| index.plan(&updates).map(|plan| (index, plan)));
        match parsed {
            Ok((index, plan)) => {
                lock.write(|file| index.write(&plan, racy_since, std::io::BufWriter::with_capacity(1 << 16, file)))?;
                Ok(Spliced::Done(Written(lock)))
            }
            Err(refusal) => Ok(Spliced::Refused(refusal)),
        }
    }
}

/// The index as libgit2 reads it, with `touched` applied in memory (for an index
/// that could not be spliced, and why).
pub(crate) fn with_libgit2(repo: &Repository, touched: &[Touched<'_>], refusal: Refusal) -> Result<PendingIndex> {
    let mut index = repo.index().map_err(git_error("reading the index"))?;
    index.read(true).map_err(git_error("reading the index"))?;
    for file in touched {
        let result = match &file.present {
            Some((blob, meta)) => {
                // Staged as `git add` does: a conflict at the path is resolved.
                match index.conflict_remove(Path::new(file.path)) {
                    Err(err) if err.code() != git2::ErrorCode::NotFound => Err(err),
                    _ => index.add(&libgit2_entry(file.path, *blob, meta)),
                }
            }
            None => index.remove_path(Path::new(file.path)),
        };
        result.map_err(git_error("updating the index"))?;
    }
    Ok(PendingIndex { how: How::Libgit2(index, refusal) })
}

/// The stat data git compares to tell a file unchanged (32 bits each, as git keeps
/// them).
fn new_entry((blob, meta): &(Oid, std::fs::Metadata)) -> NewEntry {
    let mut id = [0; 20];
    id.copy_from_slice(blob.as_bytes());
    NewEntry {
        ctime: (meta.ctime() as u32, meta.ctime_nsec() as u32),
        mtime: (meta.mtime() as u32, meta.mtime_nsec() as u32),
        dev: meta.dev() as u32,
        ino: meta.ino() as u32,
        mode: 0o100644,
        uid: meta.uid(),
        gid: meta.gid(),
        size: meta.len() as u32,
        id,
    }
}

fn libgit2_entry(path: &str, blob: Oid, meta: &std::fs::Metadata) -> IndexEntry {
    let entry = new_entry(&(blob, meta.clone()));
    let time = |(secs, nanos): (u32, u32)| IndexTime::new(secs as i32, nanos);
    IndexEntry {
        ctime: time(entry.ctime),
        mtime: time(entry.mtime),
        dev: entry.dev,
        ino: entry.ino,
        mode: entry.mode,
        uid: entry.uid,
        gid: entry.gid,
        file_size: entry.size,
        id: blob,
        flags: path.len().min(0xfff) as u16,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// `index.lock`, held from before the index is read until it replaces the index;
/// removed when dropped unapplied.
struct Lock {
    path: PathBuf,
    target: PathBuf,
    file: Option<File>,
    /// Syncing the written lock file runs beside the rest of the commit.
    sync: Option<JoinHandle<std::io::Result<()>>>,
    renamed: bool,
}

impl Lock {
    fn acquire(index: &Path) -> Result<Lock> {
        let path = index.with_file_name("index.lock");
        match OpenOptions::new().write(true).create_new(true).mode(0o666).open(&path) {
            Ok(file) => Ok(Lock { path, target: index.to_owned(), file: Some(file), sync: None, renamed: false }),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Err(GitError::Setup(format!(
                "{} exists: another git process seems to be running in the vault; if none is, remove that file",
                path.display()
            ))),
            Err(source) => Err(GitError::Io { path, source }),
        }
    }

    /// Writes the new index into the lock file with `write`, and starts making it
    /// durable.
    fn write(&mut self, write: impl FnOnce(&mut File) -> std::io::Result<()>) -> Result<()> {
        let mut file = self.file.take().expect("a lock is written once");
        write(&mut file).map_err(|source| GitError::Io { path: self.path.clone(), source })?;
        self.sync = Some(std::thread::spawn(move || file.sync_data()));
        Ok(())
    }

    /// Waits for the lock file to be durable, then renames it over the index.
    fn commit(mut self) -> Result<()> {
        let synced = self
            .sync
            .take()
            .map_or(Ok(()), |sync| sync.join().unwrap_or_else(|_| Err(std::io::Error::other("syncing panicked"))));
        synced.map_err(|source| GitError::Io { path: self.path.clone(), source })?;
        let renamed = std::fs::rename(&self.path, &self.target);
        self.renamed = renamed.is_ok();
        renamed.map_err(|source| GitError::Io { path: self.target.clone(), source })?;
        stamp::record(&self.target);
        Ok(())
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        if let Some(sync) = self.sync.take() {
            let _ = sync.join();
        }
        if !self.renamed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// What says the index is the one this module wrote: its size, change and
/// modification times, inode and checksum, kept in `.git/feedvault-index-stamp`
/// (not synced: a stamp lost is only a checksum computed again). Any other writer
/// of the index (git, libgit2) changes at least its inode and times.
mod stamp {
    use std::fs::Metadata;
    use std::io::{Read as _, Seek as _, SeekFrom};
    use std::os::unix::fs::MetadataExt as _;
    use std::path::{Path, PathBuf};

    fn file(index: &Path) -> PathBuf {
        index.with_file_name("feedvault-index-stamp")
    }

    fn line(meta: &Metadata, trailer: &[u8]) -> String {
        let hex = data_encoding::HEXLOWER.encode(trailer);
        let (len, ino) = (meta.len(), meta.ino());
        let (ctime, ctime_ns, mtime, mtime_ns) = (meta.ctime(), meta.ctime_nsec(), meta.mtime(), meta.mtime_nsec());
        format!("{len} {ino} {ctime}.{ctime_ns} {mtime}.{mtime_ns} {hex}\n")
    }

    /// Whether the index read (`meta`, `bytes`) is the one last recorded.
    pub(super) fn matches(index: &Path, meta: &Metadata, bytes: &[u8]) -> bool {
        let trailer = &bytes[bytes.len().saturating_sub(20)..];
        std::fs::read_to_string(file(index)).is_ok_and(|kept| kept == line(meta, trailer))
    }

    /// Records the index just put in place.
    pub(super) fn record(index: &Path) {
        let read = || -> std::io::Result<String> {
            let mut opened = std::fs::File::open(index)?;
            let meta = opened.metadata()?;
            let mut trailer = [0u8; 20];
            opened.seek(SeekFrom::End(-20))?;
            opened.read_exact(&mut trailer)?;
            Ok(line(&meta, &trailer))
        };
        match read() {
            Ok(line) => {
                let _ = std::fs::write(file(index), line);
            }
            Err(_) => {
                let _ = std::fs::remove_file(file(index));
            }
        }
    }
}

#[cfg(test)]
#[path = "index_update_tests.rs"]
mod tests;
