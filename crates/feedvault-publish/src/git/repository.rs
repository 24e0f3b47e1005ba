//! The vault as a git work tree: opened (an existing clone of an archive is
//! committed on top of) or created, with the branch publishing commits to.

use std::io::Write as _;
use std::path::Path;

use git2::{Commit, Repository, RepositoryInitOptions};

use super::{GitError, Result, git_error};

/// Lines of `.git/info/exclude` (local to the clone, never committed) that keep the
/// vault's derived and private files out of `git status`.
const EXCLUDED: &[&str] = &["/state.db*", "/index/", "/.lock", "/.feedvault.toml.lock", "/secrets.toml", "*.fvtmp"];

/// Opens the repository at the vault's root, creating it on `branch` when there is
/// none.
pub(crate) fn open_or_init(root: &Path, branch: &str) -> Result<Repository> {
    let repo = if root.join(".git").exists() {
        Repository::open(root).map_err(git_error("opening the vault's repository"))?
    } else {
        let mut options = RepositoryInitOptions::new();
        options.initial_head(branch).no_reinit(true);
        Repository::init_opts(root, &options).map_err(git_error("creating the vault's repository"))?
    };
    if repo.is_bare() {
        return Err(GitError::Setup(format!("{}: a bare repository cannot hold a vault", root.display())));
    }
    exclude_derived(&repo).map_err(|e| GitError::Setup(format!("writing .git/info/exclude: {e}")))?;
    Ok(repo)
}

/// Opens the repository at the vault's root, if there is one (for status).
pub(crate) fn open(root: &Path) -> Result<Option<Repository>> {
    if !root.join(".git").exists() {
        return Ok(None);
    }
    Repository::open(root).map(Some).map_err(git_error("opening the vault's repository"))
}

fn exclude_derived(repo: &Repository) -> std::io::Result<()> {
    let path = repo.path().join("info").join("exclude");
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let missing: Vec<&str> =
        EXCLUDED.iter().copied().filter(|line| !existing.lines().any(|l| l.trim() == *line)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(path.parent().expect("info/exclude has a folder"))?;
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
    let separator = if existing.is_empty() || existing.ends_with('\n') { "" } else { "\n" };
    write!(file, "{separator}# feedvault: derived and private files of the vault\n{}\n", missing.join("\n"))
}

/// The full name of a branch.
pub(crate) fn branch_ref(branch: &str) -> String {
    format!("refs/heads/{branch}")
}

/// The commit publishing builds on: the branch's tip. The checkout (HEAD) must be on
/// that branch, since the index is kept in step with every commit; an unborn HEAD
/// (a fresh repository) is moved onto it.
pub(crate) fn tip<'r>(repo: &'r Repository, branch: &str) -> Result<Option<Commit<'r>>> {
    let wanted = branch_ref(branch);
    let head = repo.find_reference("HEAD").map_err(git_error("reading HEAD"))?;
    let current = head.symbolic_target().map_err(git_error("reading HEAD"))?.map(str::to_owned);
    match current.as_deref() {
        Some(name) if name == wanted => {}
        Some(name) if repo.find_reference(name).is_err() => {
            repo.set_head(&wanted).map_err(git_error("moving HEAD to the publishing branch"))?;
        }
        Some(name) => {
            return Err(GitError::Setup(format!(
                "the vault's checkout is on {}, but [publish.git] branch is {branch:?}",
                name.trim_start_matches("refs/heads/")
            )));
        }
        None => return Err(GitError::Setup("the vault's checkout has a detached HEAD".into())),
    }
    match repo.find_reference(&wanted) {
        Ok(reference) => Ok(Some(reference.peel_to_commit().map_err(git_error("reading the branch's tip"))?)),
        Err(err) if err.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(err) => Err(git_error("reading the branch")(err)),
    }
}
