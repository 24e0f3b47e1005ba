//! The index update against git itself: repositories made with the git command
//! line, the same change staged by `git add` in one copy and by [`prepare`] and
//! [`PendingIndex::apply`] in the other, and git asked whether they agree.

use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use git2::Repository;

use super::*;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "someone")
        .env("GIT_AUTHOR_EMAIL", "someone@example.org")
        .env("GIT_COMMITTER_NAME", "someone")
        .env("GIT_COMMITTER_EMAIL", "someone@example.org")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?} in {}: {}", dir.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Writes a file dated an hour ago, so that no index entry of it is racily clean.
fn write(root: &Path, path: &str, text: &str) {
    let file = root.join(path);
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::write(&file, text).unwrap();
    let past = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options().write(true).open(&file).unwrap().set_modified(past).unwrap();
}

/// A committed repository of `files` files in a few folders, its index written by
/// git with a cache tree; `setup` runs git commands in it before the commit.
fn repository(dir: &Path, files: usize, setup: &[&[&str]]) -> std::path::PathBuf {
    let root = dir.join("base");
    fs::create_dir_all(&root).unwrap();
    git(&root, &["init", "--quiet", "--initial-branch", "main"]);
    for args in setup {
        git(&root, args);
    }
    for i in 0..files {
        write(&root, &format!("archive/f{}/d{}/a{i:04}.md", i % 3, i % 7), &format!("article {i}\n"));
    }
    write(&root, "lonely/only.md", "the only file of its folder\n");
    write(&root, "top.md", "top\n");
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "--quiet", "-m", "base"]);
    root
}

fn copy(root: &Path, name: &str) -> std::path::PathBuf {
    let to = root.with_file_name(name);
    assert!(Command::new("cp").arg("-a").arg(root).arg(&to).status().unwrap().success());
    // New inodes: git refreshes the copy's index once, as after any copy.
    git(&to, &["status", "--porcelain"]);
    to
}

/// The change both copies get: new files (in old and new folders, one sorting
/// between existing ones), a changed file, removed files (one the last of its
/// folder).
const ADDED: &[&str] = &["archive/f0/d0/a0000-b.md", "archive/f1/new/x.md", "archive/zz.md", "a.md", "top.md"];
const REMOVED: &[&str] = &["archive/f2/d5/a0005.md", "lonely/only.md"];

fn change(root: &Path) {
    for path in ADDED {
        write(root, path, &format!("new text of {path}\n"));
    }
    for path in REMOVED {
        fs::remove_file(root.join(path)).unwrap();
    }
}

/// Stages [`ADDED`] and [`REMOVED`] the way a commit does: through `prepare`.
fn stage_ours(root: &Path) -> Result<PendingIndex> {
    let repo = Repository::open(root).unwrap();
    let mut touched = Vec::new();
    for path in ADDED {
        let blob = repo.blob(&fs::read(root.join(path)).unwrap()).unwrap();
        touched.push(Touched { path, present: Some((blob, fs::symlink_metadata(root.join(path)).unwrap())) });
    }
    touched.extend(REMOVED.iter().map(|path| Touched { path, present: None }));
    prepare(&repo, &touched)
}

/// Both copies changed alike, git's staged with `git add`, ours by `prepare`.
fn staged_both_ways(dir: &Path, setup: &[&[&str]]) -> (std::path::PathBuf, std::path::PathBuf, PendingIndex) {
    let base = repository(dir, 60, setup);
    let (theirs, ours) = (copy(&base, "theirs"), copy(&base, "ours"));
    for root in [&theirs, &ours] {
        change(root);
    }
    let mut args = vec!["add", "--"];
    args.extend(ADDED.iter().chain(REMOVED));
    git(&theirs, &args);
    let pending = stage_ours(&ours).unwrap();
    (theirs, ours, pending)
}

fn index_bytes(root: &Path) -> Vec<u8> {
    fs::read(root.join(".git/index")).unwrap()
}

/// What git says of the two copies is the same, and ours is consistent.
fn assert_agree(theirs: &Path, ours: &Path) {
    assert_eq!(git(ours, &["diff-files", "--name-status"]), "", "the stat data match the files");
    assert_eq!(git(ours, &["ls-files", "-s"]), git(theirs, &["ls-files", "-s"]));
    assert_eq!(git(ours, &["status", "--porcelain"]), git(theirs, &["status", "--porcelain"]));
    git(ours, &["fsck", "--strict", "--no-progress"]);
    assert_eq!(git(ours, &["write-tree"]), git(theirs, &["write-tree"]), "the cache tree holds no stale tree");
    let index = Repository::open(ours).unwrap().index().unwrap();
    assert_eq!(index.len(), git(theirs, &["ls-files"]).lines().count(), "libgit2 reads the index");
    git(ours, &["commit", "--quiet", "-a", "-m", "after"]);
    assert_eq!(git(ours, &["status", "--porcelain", "--untracked-files=no"]), "");
    assert_eq!(git(ours, &["diff", "HEAD~1", "--name-only"]).lines().count(), ADDED.len() + REMOVED.len());
}

#[test]
fn a_spliced_index_is_the_one_git_add_writes() {
    let dir = tempfile::tempdir().unwrap();
    let (theirs, ours, pending) = staged_both_ways(dir.path(), &[]);
    assert!(pending.refusal().is_none(), "spliced: {:?}", pending.refusal());
    assert!(ours.join(".git/index.lock").exists(), "the lock is held until the index is applied");
    let before = index_bytes(&ours);
    pending.apply().unwrap();
    assert!(!ours.join(".git/index.lock").exists());
    let after = index_bytes(&ours);
    assert_ne!(before, after);
    let parsed = IndexFile::parse(&after).unwrap();
    assert!(parsed.extension_names().contains(&"TREE".to_owned()), "the cache tree is kept");
    assert_agree(&theirs, &ours);
}

#[test]
fn dropping_an_unapplied_update_leaves_the_index_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let (_, ours, pending) = staged_both_ways(dir.path(), &[]);
    let before = index_bytes(&ours);
    drop(pending);
    assert!(!ours.join(".git/index.lock").exists());
    assert_eq!(index_bytes(&ours), before);
}

#[test]
fn a_held_index_lock_stops_the_update_and_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let base = repository(dir.path(), 10, &[]);
    change(&base);
    fs::write(base.join(".git/index.lock"), "another git").unwrap();
    let before = index_bytes(&base);
    let err = stage_ours(&base).err().expect("a held lock is an error").to_string();
    assert!(err.contains("index.lock exists"), "{err}");
    assert_eq!(index_bytes(&base), before);
    assert_eq!(fs::read_to_string(base.join(".git/index.lock")).unwrap(), "another git");
}

#[test]
fn a_version_4_index_is_updated_by_libgit2() {
    let dir = tempfile::tempdir().unwrap();
    let (theirs, ours, pending) = staged_both_ways(dir.path(), &[&["config", "index.version", "4"]]);
    assert_eq!(pending.refusal(), Some(&Refusal::Version(4)));
    pending.apply().unwrap();
    assert_agree(&theirs, &ours);
}

#[test]
fn an_index_without_checksum_stays_so() {
    let dir = tempfile::tempdir().unwrap();
    let (theirs, ours, pending) = staged_both_ways(dir.path(), &[&["config", "index.skipHash", "true"]]);
    assert!(pending.refusal().is_none(), "{:?}", pending.refusal());
    pending.apply().unwrap();
    assert!(index_bytes(&ours).ends_with(&[0; 20]));
    assert_agree(&theirs, &ours);
}

#[test]
fn the_untracked_cache_is_dropped_and_git_still_lists_untracked_files() {
    let setup: &[&[&str]] = &[&["config", "core.untrackedCache", "true"]];
    let dir = tempfile::tempdir().unwrap();
    let base = repository(dir.path(), 30, setup);
    write(&base, "archive/f0/untracked.txt", "not added\n");
    git(&base, &["status", "--porcelain"]);
    let names = IndexFile::parse(&index_bytes(&base)).unwrap().extension_names();
    assert!(names.contains(&"UNTR".to_owned()), "{names:?}");
    let (theirs, ours) = (copy(&base, "theirs"), copy(&base, "ours"));
    for root in [&theirs, &ours] {
        change(root);
    }
    let mut args = vec!["add", "--"];
    args.extend(ADDED.iter().chain(REMOVED));
    git(&theirs, &args);
    stage_ours(&ours).unwrap().apply().unwrap();
    let names = IndexFile::parse(&index_bytes(&ours)).unwrap().extension_names();
    assert!(!names.contains(&"UNTR".to_owned()), "{names:?}");
    assert!(git(&ours, &["status", "--porcelain"]).contains("?? archive/f0/untracked.txt"));
    assert_agree(&theirs, &ours);
}

#[test]
fn a_file_turned_folder_goes_to_libgit2() {
    let dir = tempfile::tempdir().unwrap();
    let base = repository(dir.path(), 10, &[]);
    let (theirs, ours) = (copy(&base, "theirs"), copy(&base, "ours"));
    for root in [&theirs, &ours] {
        fs::remove_file(root.join("top.md")).unwrap();
        write(root, "top.md/inner.md", "now a folder\n");
    }
    git(&theirs, &["add", "-A"]);
    let repo = Repository::open(&ours).unwrap();
    let blob = repo.blob(b"now a folder\n").unwrap();
    let meta = fs::symlink_metadata(ours.join("top.md/inner.md")).unwrap();
    let touched =
        [Touched { path: "top.md", present: None }, Touched { path: "top.md/inner.md", present: Some((blob, meta)) }];
    let pending = prepare(&repo, &touched).unwrap();
    assert_eq!(pending.refusal(), Some(&Refusal::FolderAndFile("top.md/inner.md".into())));
    pending.apply().unwrap();
    assert_eq!(git(&ours, &["ls-files", "-s"]), git(&theirs, &["ls-files", "-s"]));
    assert_eq!(git(&ours, &["status", "--porcelain"]), git(&theirs, &["status", "--porcelain"]));
}

#[test]
fn a_conflicted_path_goes_to_libgit2() {
    let dir = tempfile::tempdir().unwrap();
    let base = repository(dir.path(), 10, &[]);
    let blob = git(&base, &["rev-parse", "HEAD:top.md"]);
    let stages = format!("0 {0}\ttop.md\n100644 {1} 1\ttop.md\n100644 {1} 2\ttop.md\n", "0".repeat(40), blob.trim());
    let mut child = Command::new("git")
        .current_dir(&base)
        .args(["update-index", "--index-info"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stages.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    let parsed = IndexFile::parse(&index_bytes(&base)).unwrap().entries();
    assert_eq!(parsed.iter().filter(|e| e.0 == "top.md").count(), 2, "{parsed:?}");
    write(&base, "top.md", "resolved\n");
    let repo = Repository::open(&base).unwrap();
    let blob = repo.blob(b"resolved\n").unwrap();
    let meta = fs::symlink_metadata(base.join("top.md")).unwrap();
    let pending = prepare(&repo, &[Touched { path: "top.md", present: Some((blob, meta)) }]).unwrap();
    assert_eq!(pending.refusal(), Some(&Refusal::Flagged("top.md".into())));
    pending.apply().unwrap();
    assert_eq!(git(&base, &["ls-files", "-s", "top.md"]), format!("100644 {blob} 0\ttop.md\n"));
}

#[test]
fn a_corrupt_index_is_an_error_and_stays_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let base = repository(dir.path(), 10, &[]);
    change(&base);
    let mut bytes = index_bytes(&base);
    bytes[40] ^= 1;
    fs::write(base.join(".git/index"), &bytes).unwrap();
    assert_eq!(IndexFile::parse(&bytes).err(), Some(Refusal::Checksum));
    assert!(stage_ours(&base).is_err(), "libgit2 refuses it too");
    assert_eq!(index_bytes(&base), bytes);
    assert!(!base.join(".git/index.lock").exists());
}

#[test]
fn racily_clean_entries_are_smudged() {
    let dir = tempfile::tempdir().unwrap();
    let base = repository(dir.path(), 10, &[]);
    // An index older than its files: every entry may hide a change git cannot see.
    let index = fs::File::options().write(true).open(base.join(".git/index")).unwrap();
    index.set_modified(SystemTime::now() - Duration::from_secs(7200)).unwrap();
    drop(index);
    change(&base);
    stage_ours(&base).unwrap().apply().unwrap();
    let bytes = index_bytes(&base);
    let entries = IndexFile::parse(&bytes).unwrap().entries();
    let old = entries.iter().filter(|e| !ADDED.contains(&e.0.as_str())).collect::<Vec<_>>();
    assert!(!old.is_empty() && old.iter().all(|e| e.3 == 0), "{old:?}");
    assert!(entries.iter().filter(|e| ADDED.contains(&e.0.as_str())).all(|e| e.3 > 0));
    let status = git(&base, &["status", "--porcelain", "--untracked-files=no"]);
    assert_eq!(status.lines().count(), ADDED.len() + REMOVED.len(), "{status}");
    assert!(git(&base, &["diff-files", "--name-only"]).is_empty(), "smudged entries compare by content");
}

#[test]
fn split_and_sparse_indexes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let base = repository(dir.path(), 10, &[]);
    git(&base, &["update-index", "--split-index"]);
    assert_eq!(IndexFile::parse(&index_bytes(&base)).err(), Some(Refusal::Extension("link".into())));
}

#[test]
fn a_missing_index_is_an_empty_one() {
    let dir = tempfile::tempdir().unwrap();
    let base = repository(dir.path(), 10, &[]);
    fs::remove_file(base.join(".git/index")).unwrap();
    let empty = index_file::empty();
    assert_eq!(IndexFile::parse(&empty).unwrap().len(), 0);
    change(&base);
    let pending = stage_ours(&base).unwrap();
    assert!(pending.refusal().is_none());
    pending.apply().unwrap();
    let files = git(&base, &["ls-files"]);
    let mut expected: Vec<&str> = ADDED.to_vec();
    expected.sort_unstable();
    assert_eq!(files.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn a_held_index_lock_stops_the_commit_before_anything_is_written() {
    use feedvault_engine::settings::GitSection;
    use feedvault_engine::{ChangeKind, Unpublished};
    let dir = tempfile::tempdir().unwrap();
    let base = repository(dir.path(), 10, &[]);
    let tip = git(&base, &["rev-parse", "main"]);
    let packs = || fs::read_dir(base.join(".git/objects/pack")).unwrap().count();
    let before = packs();
    write(&base, "archive/f0/new.md", "new\n");
    let files = [Unpublished { path: "archive/f0/new.md".into(), feed: Some("f0".into()), change: ChangeKind::New }];
    fs::write(base.join(".git/index.lock"), "").unwrap();
    let err = crate::git::commit_files(&base, &GitSection::default(), &files, chrono::Utc::now()).unwrap_err();
    assert!(err.to_string().contains("index.lock exists"), "{err}");
    assert_eq!(git(&base, &["rev-parse", "main"]), tip, "the branch did not move");
    assert_eq!(packs(), before, "no pack was written");
    fs::remove_file(base.join(".git/index.lock")).unwrap();
    let made = crate::git::commit_files(&base, &GitSection::default(), &files, chrono::Utc::now()).unwrap().unwrap();
    assert_eq!(made.files, 1);
    assert_eq!(git(&base, &["status", "--porcelain", "--untracked-files=no"]), "");
    git(&base, &["fsck", "--strict", "--no-progress"]);
}

#[test]
fn only_the_index_this_module_wrote_skips_its_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let base = repository(dir.path(), 10, &[]);
    let index = base.join(".git/index");
    let read = |path: &Path| (fs::metadata(path).unwrap(), fs::read(path).unwrap());
    let (meta, bytes) = read(&index);
    assert!(!stamp::matches(&index, &meta, &bytes), "git wrote it");
    change(&base);
    stage_ours(&base).unwrap().apply().unwrap();
    let (meta, bytes) = read(&index);
    assert!(stamp::matches(&index, &meta, &bytes), "ours, untouched since");
    // The same bytes written again by someone else: not ours any more.
    let copy = base.join(".git/index.copy");
    fs::write(&copy, &bytes).unwrap();
    fs::rename(&copy, &index).unwrap();
    let (meta, bytes) = read(&index);
    assert!(!stamp::matches(&index, &meta, &bytes), "another inode");
    // Damaged after feedvault wrote it: checked again, and refused.
    stage_ours(&base).unwrap().apply().unwrap();
    let mut damaged = fs::read(&index).unwrap();
    damaged[40] ^= 1;
    let mut file = fs::OpenOptions::new().write(true).open(&index).unwrap();
    file.write_all(&damaged).unwrap();
    // Written in place (the clock may not have ticked since feedvault's write).
    file.set_modified(SystemTime::now() - Duration::from_secs(60)).unwrap();
    drop(file);
    let (meta, bytes) = read(&index);
    assert!(!stamp::matches(&index, &meta, &bytes), "written since");
    assert_eq!(IndexFile::parse(&bytes).err(), Some(Refusal::Checksum));
}
