//! Where the mirror is written, so that a failed export never leaves a mixed tree:
//! every file goes into a fresh folder beside DIR (`.<name>.<pid>.site-tmp`), which
//! is made durable (one `syncfs` on Linux) and renamed to DIR only when complete.
//!
//! DIR may be missing (it is created, with its parents), an empty folder, or an
//! earlier export (it holds [`MARKER`]), which is then replaced whole: renamed
//! aside, the new tree renamed in, the old one deleted. Anything else (a file, a
//! symbolic link, a folder with other things in it) is refused, so an export never
//! deletes what it did not write. A crash between the two renames leaves DIR
//! missing and the earlier export beside it as `.<name>.<pid>.site-old`.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::SiteError;

/// The file that marks a folder as an export (and says so to whoever opens it).
pub const MARKER: &str = ".feedvault-site";

const MARKER_TEXT: &str = "This folder is a static mirror of a feedvault vault, written by `feedvault export site`.\n\
The next export into this folder replaces all of it.\n";

/// A tree being written beside its final place.
pub struct Staging {
    tree: Tree,
    /// DIR is an earlier export, to be replaced.
    replaces: bool,
    committed: bool,
}

/// Where the files of a [`Staging`] go (cheap to clone, for the writing tasks).
#[derive(Clone)]
pub struct Tree {
    temp: PathBuf,
    /// The final folder (errors name files by where they were to be).
    dir: PathBuf,
}

impl Staging {
    /// Checks DIR and creates the temporary folder beside it.
    pub fn begin(dir: &Path) -> Result<Staging, SiteError> {
        let refuse = |reason: &str| SiteError::Target { dir: dir.to_owned(), reason: reason.to_owned() };
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| SiteError::Io { path, source }
        };
        let name = dir.file_name().ok_or_else(|| refuse("names no folder"))?.to_string_lossy().into_owned();
        let replaces = match fs::symlink_metadata(dir) {
            Ok(meta) if meta.file_type().is_symlink() => return Err(refuse("is a symbolic link")),
            Ok(meta) if !meta.is_dir() => return Err(refuse("is a file, not a folder")),
            Ok(_) => {
                let mut entries = fs::read_dir(dir).map_err(io(dir))?;
                match entries.next() {
                    None => false,
                    Some(_) if dir.join(MARKER).is_file() => true,
                    Some(_) => {
                        return Err(refuse(&format!(
                            "is not empty and holds no {MARKER} (an earlier export); refusing to replace it"
                        )));
                    }
                }
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => false,
            Err(err) => return Err(SiteError::Io { path: dir.to_owned(), source: err }),
        };
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(io(&parent))?;
        let temp = parent.join(format!(".{name}.{}.site-tmp", std::process::id()));
        if temp.exists() {
            fs::remove_dir_all(&temp).map_err(io(&temp))?;
        }
        fs::create_dir(&temp).map_err(io(&temp))?;
        let staging = Staging { tree: Tree { temp, dir: dir.to_owned() }, replaces, committed: false };
        staging.tree.write(&[MARKER.to_owned()], MARKER_TEXT.as_bytes())?;
        // GitHub Pages would otherwise run Jekyll, which skips names starting with `_`.
        staging.tree.write(&[".nojekyll".to_owned()], b"")?;
        Ok(staging)
    }

    pub fn tree(&self) -> Tree {
        self.tree.clone()
    }
}

impl Tree {
    /// Writes one file (components under the tree). Folders are made as needed; a
    /// file written twice is an error, never a silent overwrite.
    pub fn write(&self, file: &[String], bytes: &[u8]) -> Result<(), SiteError> {
        let mut path = self.temp.clone();
        path.extend(file);
        let result = (|| {
            if !self.temp.is_dir() {
                return Err(io::Error::other("the export's temporary folder is gone"));
            }
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            let mut out = File::create_new(&path)?;
            out.write_all(bytes)?;
            if !cfg!(target_os = "linux") {
                out.sync_all()?;
            }
            Ok(())
        })();
        result.map_err(|source| SiteError::Io { path: self.dir.join(file.join("/")), source })
    }
}

impl Staging {
    /// Makes the tree durable and puts it in place of DIR.
    pub fn commit(mut self) -> Result<(), SiteError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| SiteError::Io { path, source }
        };
        sync_tree(&self.tree.temp).map_err(io(&self.tree.temp))?;
        if self.replaces {
            let old = self.tree.temp.with_extension("site-old");
            fs::rename(&self.tree.dir, &old).map_err(io(&self.tree.dir))?;
            if let Err(source) = fs::rename(&self.tree.temp, &self.tree.dir) {
                let _ = fs::rename(&old, &self.tree.dir);
                return Err(SiteError::Io { path: self.tree.dir.clone(), source });
            }
            self.committed = true;
            fs::remove_dir_all(&old).map_err(io(&old))?;
        } else {
            // Onto a missing folder or an empty one (rename replaces an empty folder).
            fs::rename(&self.tree.temp, &self.tree.dir).map_err(io(&self.tree.dir))?;
            self.committed = true;
        }
        if let Some(parent) = self.tree.dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            File::open(parent).and_then(|f| f.sync_all()).map_err(io(parent))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    /// An export that failed midway leaves nothing behind (DIR is untouched).
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tree.temp);
        }
    }
}

#[cfg(target_os = "linux")]
fn sync_tree(root: &Path) -> io::Result<()> {
    rustix::fs::syncfs(File::open(root)?).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn sync_tree(_root: &Path) -> io::Result<()> {
    Ok(()) // each file was synced when written
}
