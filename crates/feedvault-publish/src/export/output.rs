//! An export's output file, written atomically: the stream goes to a temporary file
//! beside the final one (`.NAME.XXXXXX.tmp`), which is synced and renamed into place
//! only when the export is complete. An export that fails, or a process that is
//! stopped, never leaves a partial file under the final name (a dropped temporary
//! file is removed; only `kill -9` can leave one, under its dotted temporary name).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::{ExportError, Result};

/// A file being written; nothing appears at its path before [`OutputFile::commit`].
pub struct OutputFile {
    path: PathBuf,
    temp: BufWriter<NamedTempFile>,
}

impl OutputFile {
    /// Starts writing `path` (its folder must exist and be writable).
    pub fn create(path: &Path) -> Result<OutputFile> {
        let failed = |source| ExportError::Output { path: path.to_owned(), source };
        if path.is_dir() {
            return Err(failed(io::Error::new(io::ErrorKind::IsADirectory, "it is a folder")));
        }
        let name = path.file_name().ok_or_else(|| failed(io::Error::other("no file name")))?;
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let prefix = format!(".{}.", name.to_string_lossy());
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        // An export is for sharing: the umask decides, as for any new file (a
        // temporary file is otherwise private to its owner).
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temp = builder.tempfile_in(folder).map_err(failed)?;
        Ok(OutputFile { path: path.to_owned(), temp: BufWriter::with_capacity(256 * 1024, temp) })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The final file's name, as records may cite it.
    pub fn file_name(&self) -> String {
        self.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    }

    /// Flushes, syncs and renames the file into place, then syncs its folder.
    pub fn commit(self) -> Result<()> {
        let failed = |source| ExportError::Output { path: self.path.clone(), source };
        let temp = self.temp.into_inner().map_err(|e| failed(e.into_error()))?;
        temp.as_file().sync_all().map_err(failed)?;
        temp.persist(&self.path).map_err(|e| failed(e.error))?;
        let folder = self.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        // A folder cannot be opened for syncing everywhere; the rename is done either way.
        if let Ok(dir) = File::open(folder) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.temp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temp.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_appears_before_commit_and_a_dropped_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let mut out = OutputFile::create(&path).unwrap();
        out.write_all(b"half").unwrap();
        assert!(!path.exists());
        drop(out);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "the temporary file is gone");

        std::fs::write(&path, b"old").unwrap();
        let mut out = OutputFile::create(&path).unwrap();
        out.write_all(b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"old", "the old file stays until commit");
        out.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_readable_by_others_as_the_umask_allows() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.warc");
        OutputFile::create(&path).unwrap().commit().unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        let umask = process_umask();
        assert_eq!(mode, 0o666 & !umask, "mode {mode:o} with umask {umask:o}");
    }

    /// The process umask, read from a file created the ordinary way.
    #[cfg(unix)]
    fn process_umask() -> u32 {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let probe = dir.path().join("probe");
        std::fs::write(&probe, b"").unwrap();
        !std::fs::metadata(&probe).unwrap().permissions().mode() & 0o666
    }

    #[test]
    fn an_unwritable_place_is_one_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no/such/folder/out.warc");
        let err = OutputFile::create(&missing).err().unwrap();
        assert!(err.to_string().starts_with(&format!("cannot write {}: ", missing.display())), "{err}");
        let err = OutputFile::create(dir.path()).err().unwrap();
        assert!(err.to_string().contains("it is a folder"), "{err}");
    }
}
