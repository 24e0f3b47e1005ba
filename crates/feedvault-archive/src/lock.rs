//! The vault lock: one process writes a vault at a time.
//!
//! An OS file lock on `vault/.lock` (released by the kernel if the process dies, so
//! a crash never leaves a vault locked). The holder writes its pid into the file so
//! a refused process can say who holds it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::ArchiveError;

/// How long a refused process keeps trying before it reports the vault locked:
/// far longer than a check ([`VaultLock::is_held`]) holds the lock, far shorter than
/// any writer does, so a check at the wrong instant never turns a writer away.
const GRACE: Duration = Duration::from_millis(250);

/// Held for as long as a process writes the vault.
#[derive(Debug)]
pub struct VaultLock {
    _file: File,
}

impl VaultLock {
    /// Takes the lock, waiting up to `wait` (at least [`GRACE`]) for another process
    /// to release it.
    pub fn acquire(vault: &Path, wait: Duration) -> Result<Self, ArchiveError> {
        let path = lock_path(vault);
        let io = |source| ArchiveError::Io { path: path.clone(), source };
        let mut file =
            OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(io)?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if started.elapsed() < wait.max(GRACE) => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Err(TryLockError::WouldBlock) => return Err(ArchiveError::Locked { path, holder: holder(&mut file) }),
                Err(TryLockError::Error(source)) => return Err(io(source)),
            }
        }
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| write!(file, "{}", std::process::id()))
            .map_err(io)?;
        Ok(VaultLock { _file: file })
    }

    /// Whether a process writes the vault now. The lock is taken for an instant and
    /// let go without touching the file (the holder's pid stays as it was).
    pub fn is_held(vault: &Path) -> Result<bool, ArchiveError> {
        let path = lock_path(vault);
        let io = |source| ArchiveError::Io { path: path.clone(), source };
        let file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => file.unlock().map(|()| false).map_err(io),
            Err(TryLockError::WouldBlock) => Ok(true),
            Err(TryLockError::Error(source)) => Err(io(source)),
        }
    }
}

fn holder(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

/// Where the lock of a vault lives.
pub fn lock_path(vault: &Path) -> PathBuf {
    vault.join(".lock")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_pid() {
        let dir = tempfile::tempdir().unwrap();
        let first = VaultLock::acquire(dir.path(), Duration::ZERO).unwrap();
        match VaultLock::acquire(dir.path(), Duration::from_millis(120)) {
            Err(ArchiveError::Locked { holder, .. }) => assert_eq!(holder, Some(std::process::id())),
            other => panic!("{other:?}"),
        }
        drop(first);
        VaultLock::acquire(dir.path(), Duration::ZERO).unwrap();
    }

    #[test]
    fn a_check_sees_the_holder_and_leaves_its_pid() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!VaultLock::is_held(dir.path()).unwrap(), "nobody writes");
        assert!(!VaultLock::is_held(dir.path()).unwrap(), "the check let go");
        let held = VaultLock::acquire(dir.path(), Duration::ZERO).unwrap();
        assert!(VaultLock::is_held(dir.path()).unwrap());
        let pid = std::fs::read_to_string(lock_path(dir.path())).unwrap();
        assert_eq!(pid, std::process::id().to_string(), "the holder's pid is untouched");
        drop(held);
        assert!(!VaultLock::is_held(dir.path()).unwrap());
        VaultLock::acquire(dir.path(), Duration::ZERO).unwrap();
    }
}
