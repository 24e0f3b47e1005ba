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

/// Held for as long as a process writes the vault.
#[derive(Debug)]
pub struct VaultLock {
    _file: File,
}

impl VaultLock {
    /// Takes the lock, waiting up to `wait` for another process to release it.
    pub fn acquire(vault: &Path, wait: Duration) -> Result<Self, ArchiveError> {
        let path = lock_path(vault);
        let io = |source| ArchiveError::Io { path: path.clone(), source };
        let mut file =
            OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(io)?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if started.elapsed() < wait => {
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
}
