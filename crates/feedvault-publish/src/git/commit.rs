//! One commit of what changed. The new tree is the parent's with the changed paths
//! replaced (libgit2's tree update: only the trees along those paths are written),
//! so its cost follows the change, not the archive; the index is updated for the
//! same paths so that `git status` in the vault stays clean.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, Utc};
use feedvault_engine::{ChangeKind, Unpublished};
use git2::{FileMode, Oid, Repository, Signature, Time, build::TreeUpdateBuilder};

use super::include::Selection;
use super::{GitError, Result, git_error};

/// A commit to make: the paths and why they changed.
pub(crate) struct Change<'a> {
    pub files: &'a [Unpublished],
    /// Further paths to look at (a first commit's whole archive; feedvault.toml).
    pub extra: Vec<String>,
}

/// What a commit held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitMade {
    pub id: String,
    /// Files added, changed or removed.
    pub files: usize,
    /// The message's first line.
    pub summary: String,
}

/// Writes the commit on `branch` (on top of `parent`), or nothing when the tree
/// would not change.
pub(crate) fn commit(
    repo: &Repository,
    root: &Path,
    branch_ref: &str,
    parent: Option<&git2::Commit<'_>>,
    selection: Selection,
    change: &Change<'_>,
    author: (&str, &str),
    now: DateTime<Utc>,
) -> Result<Option<CommitMade>> {
    let baseline = match parent {
        Some(parent) => parent.tree().map_err(git_error("reading the last commit's tree"))?,
        None => {
            let empty = repo.treebuilder(None).and_then(|b| b.write()).map_err(git_error("writing an empty tree"))?;
            repo.find_tree(empty).map_err(git_error("reading an empty tree"))?
        }
    };
    let mut paths: Vec<&str> = change.files.iter().map(|f| f.path.as_str()).chain(change.extra.iter().map(String::as_str)).collect();
    paths.sort_unstable();
    paths.dedup();
    let mut update = TreeUpdateBuilder::new();
    let mut touched = Vec::new();
    for path in paths.into_iter().filter(|p| selection.includes(p)) {
        let file = root.join(path);
        match std::fs::symlink_metadata(&file) {
            Ok(meta) if meta.is_file() => {
                let blob = repo.blob_path(&file).map_err(git_error("storing a file"))?;
                let unchanged = baseline.get_path(Path::new(path)).is_ok_and(|e| e.id() == blob);
                if !unchanged {
                    update.upsert(path, blob, FileMode::Blob);
                    touched.push((path, true));
                }
            }
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                if baseline.get_path(Path::new(path)).is_ok() {
                    update.remove(path);
                    touched.push((path, false));
                }
            }
            Err(err) => return Err(GitError::Io { path: file, source: err }),
        }
    }
    if touched.is_empty() && parent.is_some() {
        return Ok(None);
    }
    let tree_id = update.create_updated(repo, &baseline).map_err(git_error("writing the new tree"))?;
    let tree = repo.find_tree(tree_id).map_err(git_error("reading the new tree"))?;
    let (summary, message) = message(change.files, parent.is_none());
    let when = Time::new(now.timestamp(), 0);
    let signature = Signature::new(author.0, author.1, &when).map_err(git_error("signing the commit"))?;
    let parents: Vec<&git2::Commit<'_>> = parent.into_iter().collect();
    let id = repo
        .commit(Some(branch_ref), &signature, &signature, &message, &tree, &parents)
        .map_err(git_error("writing the commit"))?;
    update_index(repo, &touched)?;
    Ok(Some(CommitMade { id: id.to_string(), files: touched.len(), summary }))
}

/// Keeps the index in step with the commit for the paths it touched.
fn update_index(repo: &Repository, touched: &[(&str, bool)]) -> Result<()> {
    let mut index = repo.index().map_err(git_error("reading the index"))?;
    for (path, present) in touched {
        let path = Path::new(path);
        let result = if *present { index.add_path(path) } else { index.remove_path(path) };
        result.map_err(git_error("updating the index"))?;
    }
    index.write().map_err(git_error("writing the index"))
}

/// The commit message: a summary line, then one line per feed.
fn message(files: &[Unpublished], first: bool) -> (String, String) {
    let mut per_feed: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for file in files {
        let Some(feed) = file.feed.as_deref() else { continue };
        match file.change {
            ChangeKind::New => per_feed.entry(feed).or_default().0 += 1,
            ChangeKind::Revised => per_feed.entry(feed).or_default().1 += 1,
            ChangeKind::Revision | ChangeKind::Index => {}
        }
    }
    let (new, revised) = per_feed.values().fold((0, 0), |(n, r), (a, b)| (n + a, r + b));
    let mut summary = if new + revised == 0 {
        "feedvault: lists and indexes".to_owned()
    } else {
        let feeds = per_feed.len();
        format!("feedvault: {new} new, {revised} revised in {feeds} feed{}", if feeds == 1 { "" } else { "s" })
    };
    if first {
        summary = "feedvault: the archive".to_owned();
    }
    let mut message = format!("{summary}\n");
    if !per_feed.is_empty() {
        message.push('\n');
        for (feed, (new, revised)) in &per_feed {
            let _ = writeln!(message, "{feed}: {new} new, {revised} revised");
        }
    }
    (summary, message)
}

/// The number of commits reachable from `tip` and not from `base` (all of them when
/// `base` is unknown here).
pub(crate) fn commits_between(repo: &Repository, tip: Oid, base: Option<Oid>) -> Result<usize> {
    let mut walk = repo.revwalk().map_err(git_error("walking history"))?;
    walk.push(tip).map_err(git_error("walking history"))?;
    if let Some(base) = base.filter(|b| repo.find_commit(*b).is_ok()) {
        walk.hide(base).map_err(git_error("walking history"))?;
    }
    Ok(walk.count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, feed: Option<&str>, change: ChangeKind) -> Unpublished {
        Unpublished { path: path.into(), feed: feed.map(Into::into), change }
    }

    #[test]
    fn messages_say_what_changed_per_feed() {
        let files = [
            file("archive/a/1.md", Some("nyt"), ChangeKind::New),
            file("archive/a/2.md", Some("nyt"), ChangeKind::Revised),
            file("archive/a/2.revisions/1.md", Some("nyt"), ChangeKind::Revision),
            file("archive/b/3.md", Some("bbc"), ChangeKind::New),
            file("archive/README.md", None, ChangeKind::Index),
        ];
        let (summary, text) = message(&files, false);
        assert_eq!(summary, "feedvault: 2 new, 1 revised in 2 feeds");
        assert_eq!(text, "feedvault: 2 new, 1 revised in 2 feeds\n\nbbc: 1 new, 0 revised\nnyt: 1 new, 1 revised\n");
        let (summary, _) = message(&files[4..], false);
        assert_eq!(summary, "feedvault: lists and indexes");
    }
}
