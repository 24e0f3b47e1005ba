//! One commit of what changed. The new tree is the parent's with the changed paths
//! replaced (libgit2's tree update: only the trees along those paths are written),
//! so its cost follows the change, not the archive. The new objects are gathered in
//! memory and written as one pack ([`pack`]: not one loose file each), and the
//! branch moves only once the pack is on disk, so an interruption never leaves a
//! branch naming a missing object. The index is locked before anything is written
//! and updated for the same paths, from the stat data already read
//! ([`index_update`]), so that `git status` in the vault stays clean.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, Utc};
use feedvault_engine::{ChangeKind, Unpublished};

use git2::{FileMode, ObjectType, Oid, Repository, Signature, Time, build::TreeUpdateBuilder};

use super::include::Selection;
use super::index_update::{self, Touched};
use super::pack;
use super::{GitError, Result, git_error};

/// A commit to make: the paths and why they changed, which of them may go in, and
/// whose name it carries.
pub(crate) struct Change<'a> {
    pub files: &'a [Unpublished],
    /// Further paths to look at (a first commit's whole archive; feedvault.toml).
    pub extra: Vec<String>,
    pub selection: Selection,
    /// Author and committer: (name, email).
    pub author: (&'a str, &'a str),
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
    change: &Change<'_>,
    now: DateTime<Utc>,
) -> Result<Option<CommitMade>> {
    // New objects (the empty tree of a first commit included) are gathered in memory:
    // only those the commit reaches go to disk, in its pack.
    let odb = repo.odb().map_err(git_error("opening the object database"))?;
    let pending = odb.add_new_mempack_backend(1000).map_err(git_error("gathering new objects"))?;
    let baseline = match parent {
        Some(parent) => parent.tree().map_err(git_error("reading the last commit's tree"))?,
        None => {
            let empty = repo.treebuilder(None).and_then(|b| b.write()).map_err(git_error("writing an empty tree"))?;
            repo.find_tree(empty).map_err(git_error("reading an empty tree"))?
        }
    };
    let mut paths: Vec<&str> =
        change.files.iter().map(|f| f.path.as_str()).chain(change.extra.iter().map(String::as_str)).collect();
    paths.sort_unstable();
    paths.dedup();
    let mut update = TreeUpdateBuilder::new();
    let mut touched: Vec<Touched<'_>> = Vec::new();
    for path in paths.into_iter().filter(|p| change.selection.includes(p)) {
        let file = root.join(path);
        match std::fs::symlink_metadata(&file) {
            Ok(meta) if meta.is_file() => {
                // The bytes as they are: no filters (line endings, attributes) apply.
                let bytes = std::fs::read(&file).map_err(|source| GitError::Io { path: file.clone(), source })?;
                let id = Oid::hash_object(ObjectType::Blob, &bytes).map_err(git_error("hashing a file"))?;
                let unchanged = baseline.get_path(Path::new(path)).is_ok_and(|e| e.id() == id);
                if !unchanged {
                    let blob = repo.blob(&bytes).map_err(git_error("storing a file"))?;
                    update.upsert(path, blob, FileMode::Blob);
                    touched.push(Touched { path, present: Some((blob, meta)) });
                }
            }
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                if baseline.get_path(Path::new(path)).is_ok() {
                    update.remove(path);
                    touched.push(Touched { path, present: None });
                }
            }
            Err(err) => return Err(GitError::Io { path: file, source: err }),
        }
    }
    if touched.is_empty() && parent.is_some() {
        return Ok(None);
    }
    // The index is locked before anything is written: a busy index stops the commit.
    // It is spliced beside the building of the commit (they share nothing).
    let lock = index_update::lock(repo)?;
    let (built, spliced) = std::thread::scope(|scope| {
        let splice = scope.spawn(|| lock.splice(&touched));
        let built = build(repo, &odb, &mut update, &baseline, parent, change, &touched, now);
        (built, splice.join().unwrap_or_else(|_| Err(GitError::Setup("splicing the index panicked".into()))))
    });
    let (id, summary) = built?;
    let index = match spliced? {
        index_update::Spliced::Done(written) => written.pending(),
        index_update::Spliced::Refused(refusal) => index_update::with_libgit2(repo, &touched, refusal)?,
    };
    pending.reset().map_err(git_error("packing the new objects"))?;
    let moved = match parent {
        Some(parent) => repo.reference_matching(branch_ref, id, true, parent.id(), &summary),
        None => repo.reference(branch_ref, id, false, &summary),
    };
    moved.map_err(git_error("moving the branch"))?;
    index.apply()?;
    Ok(Some(CommitMade { id: id.to_string(), files: touched.len(), summary }))
}

/// Writes the tree, the commit and the pack of the new objects; the commit's id and
/// summary.
#[allow(clippy::too_many_arguments)]
fn build(
    repo: &Repository,
    odb: &git2::Odb<'_>,
    update: &mut TreeUpdateBuilder,
    baseline: &git2::Tree<'_>,
    parent: Option<&git2::Commit<'_>>,
    change: &Change<'_>,
    touched: &[Touched<'_>],
    now: DateTime<Utc>,
) -> Result<(Oid, String)> {
    let tree_id = update.create_updated(repo, baseline).map_err(git_error("writing the new tree"))?;
    let tree = repo.find_tree(tree_id).map_err(git_error("reading the new tree"))?;
    let (summary, message) = message(change.files, parent.is_none());
    let when = Time::new(now.timestamp(), 0);
    let signature = Signature::new(change.author.0, change.author.1, &when).map_err(git_error("signing the commit"))?;
    let parents: Vec<&git2::Commit<'_>> = parent.into_iter().collect();
    let id = repo
        .commit(None, &signature, &signature, &message, &tree, &parents)
        .map_err(git_error("writing the commit"))?;
    let pack = pack_new_objects(odb, baseline, &tree, id, touched)?;
    pack.install(repo.path()).map_err(|source| GitError::Io { path: repo.path().join("objects/pack"), source })?;
    odb.refresh().map_err(git_error("reading the new pack"))?;
    Ok((id, summary))
}

/// The commit's new objects as one pack: the commit, the trees along the changed
/// paths that differ from the parent's, and the new blobs. (libgit2's own dump of
/// the in-memory objects would walk the whole tree.)
fn pack_new_objects(
    odb: &git2::Odb<'_>,
    baseline: &git2::Tree<'_>,
    tree: &git2::Tree<'_>,
    commit: Oid,
    touched: &[Touched<'_>],
) -> Result<pack::Pack> {
    let mut objects = vec![commit, tree.id()];
    let mut folders: Vec<&str> = touched.iter().flat_map(|t| ancestors(t.path)).collect();
    folders.sort_unstable();
    folders.dedup();
    let id_at = |tree: &git2::Tree<'_>, folder: &str| tree.get_path(Path::new(folder)).ok().map(|e| e.id());
    for folder in folders {
        if let Some(id) = id_at(tree, folder).filter(|id| Some(*id) != id_at(baseline, folder)) {
            objects.push(id);
        }
    }
    objects.extend(touched.iter().filter_map(|t| t.present.as_ref().map(|(blob, _)| *blob)));
    // Files with the same bytes share a blob, folders with the same files a tree.
    let mut seen = std::collections::HashSet::new();
    objects.retain(|id| seen.insert(*id));
    pack::pack(odb, &objects)
}

/// The folders holding a path, outermost first (`a/b/c.md`: `a`, `a/b`).
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(at, _)| &path[..at])
}

/// The commit message: a summary line, then one line per feed.
fn message(files: &[Unpublished], first: bool) -> (String, String) {
    let mut per_feed: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for file in files {
        let Some(feed) = file.feed.as_deref() else { continue };
        match file.change {
            ChangeKind::New => per_feed.entry(feed).or_default().0 += 1,
            ChangeKind::Revised => per_feed.entry(feed).or_default().1 += 1,
            ChangeKind::Revision | ChangeKind::Index | ChangeKind::Asset => {}
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
