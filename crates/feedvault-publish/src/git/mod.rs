//! Git publishing (`[publish.git]`): one commit of what the engine changed, then a
//! push to every remote.
//!
//! The vault is the work tree ([`repository`]: an existing clone of an archive is
//! committed on top of). A commit is built from the journal of changed files that
//! state.db keeps in step with the archive ([`commit`]), never from a scan of the
//! work tree, and is made at most once per `interval` after fetches (at once on
//! `feedvault publish`). Pushing runs `git` ([`push`]); each remote's last pushed
//! commit, last error and back-off live in state.db, so a commit that could not be
//! pushed goes with the next push and one unreachable remote never holds up the
//! others. The caller holds the vault lock (a [`VaultWriter`]), which keeps two
//! publishers apart.

mod cache_tree;
mod commit;
mod include;
mod index_file;
mod index_update;
mod pack;
mod push;
mod repository;
mod status;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use feedvault_engine::settings::{GitSection, Include};
use feedvault_engine::{EngineError, RemoteState, Unpublished, VaultWriter};
use thiserror::Error;

pub use commit::CommitMade;
pub use push::redact;
pub use status::{RemoteStatus, Status, status};

/// A publishing failure. (A failed push is not one: it is reported per remote.)
#[derive(Debug, Error)]
pub enum GitError {
    #[error("git: {context}: {}", .source.message())]
    Git {
        context: &'static str,
        #[source]
        source: git2::Error,
    },
    #[error("git: {0}")]
    Setup(String),
    #[error("git: {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Engine(#[from] EngineError),
}

pub type Result<T> = std::result::Result<T, GitError>;

pub(crate) fn git_error(context: &'static str) -> impl FnOnce(git2::Error) -> GitError {
    move |source| GitError::Git { context, source }
}

/// Why publishing runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The end of a fetch: commit when `interval` has passed since the last commit,
    /// push to remotes whose back-off has passed.
    AfterFetch,
    /// `feedvault publish`: commit what is uncommitted, push what is unpushed, now.
    OnDemand,
}

/// What one push attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    Pushed {
        commits: usize,
    },
    UpToDate,
    Failed {
        error: String,
        next_attempt_at: i64,
    },
    /// Not tried: the remote's back-off after earlier failures lasts until then.
    Waiting {
        until: i64,
    },
}

/// What publishing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishReport {
    pub commit: Option<CommitMade>,
    /// Changed files left for a later commit (the interval has not passed).
    pub waiting: usize,
    /// One per remote (its URL with credentials hidden), in the order configured.
    pub pushes: Vec<(String, PushOutcome)>,
    /// Why packing the repository after the commit failed, if it did (the commit
    /// stands; the next one tries again).
    pub maintenance_error: Option<String>,
}

/// Commits and pushes as `trigger` asks.
pub fn publish(
    writer: &mut VaultWriter,
    git: &GitSection,
    trigger: Trigger,
    now: DateTime<Utc>,
) -> Result<PublishReport> {
    let root = writer.root().to_owned();
    let repo = repository::open_or_init(&root, &git.branch)?;
    let branch_ref = repository::branch_ref(&git.branch);
    let parent = repository::tip(&repo, &git.branch)?;
    let files = writer.unpublished()?;
    let due = match (&parent, trigger) {
        (None, _) | (_, Trigger::OnDemand) => true,
        (Some(parent), Trigger::AfterFetch) => {
            let last = parent.committer().when().seconds();
            now.timestamp() - last >= git.interval.as_secs() as i64
        }
    };
    drop(parent);
    let mut report = PublishReport { commit: None, waiting: 0, pushes: Vec::new(), maintenance_error: None };
    if due {
        report.commit = commit_in(&repo, &root, git, &files, now)?;
        let paths: Vec<String> = files.into_iter().map(|f| f.path).collect();
        writer.mark_published(&paths)?;
        if report.commit.is_some() {
            report.maintenance_error = push::collect_garbage(&root, git.push_timeout).err();
        }
    } else {
        report.waiting = files.len();
    }
    let Some(tip) = repo.find_reference(&branch_ref).ok().and_then(|r| r.target()) else {
        return Ok(report);
    };
    for remote in &git.remotes {
        let outcome = push_one(writer, &repo, &root, remote, tip, git, trigger, now)?;
        report.pushes.push((redact(remote), outcome));
    }
    Ok(report)
}

/// Commits `files` on top of `[publish.git] branch` of the vault at `root` (making
/// the repository if there is none); on a branch with no commit yet, every file
/// `include` selects goes in. Nothing is committed when no file changed. Keeping
/// the journal is the caller's business ([`publish`] does it).
pub fn commit_files(
    root: &Path,
    git: &GitSection,
    files: &[Unpublished],
    now: DateTime<Utc>,
) -> Result<Option<CommitMade>> {
    let repo = repository::open_or_init(root, &git.branch)?;
    commit_in(&repo, root, git, files, now)
}

fn commit_in(
    repo: &git2::Repository,
    root: &Path,
    git: &GitSection,
    files: &[Unpublished],
    now: DateTime<Utc>,
) -> Result<Option<CommitMade>> {
    let parent = repository::tip(repo, &git.branch)?;
    let selection = include::Selection::new(git);
    let mut extra = Vec::new();
    if parent.is_none() {
        extra = selection.walk(root).map_err(|source| GitError::Io { path: root.to_owned(), source })?;
    }
    if git.include == Include::Vault {
        extra.push(feedvault_engine::FILE_NAME.to_owned());
    }
    let change = commit::Change { files, extra, selection, author: git.author_parts() };
    let branch_ref = repository::branch_ref(&git.branch);
    commit::commit(repo, root, &branch_ref, parent.as_ref(), &change, now)
}

/// Pushes the tip to one remote unless it has it (or is backing off), and records
/// how it went.
#[allow(clippy::too_many_arguments)]
fn push_one(
    writer: &mut VaultWriter,
    repo: &git2::Repository,
    root: &Path,
    remote: &str,
    tip: git2::Oid,
    git: &GitSection,
    trigger: Trigger,
    now: DateTime<Utc>,
) -> Result<PushOutcome> {
    let now_ms = now.timestamp_millis();
    let mut state =
        writer.push_remote(remote)?.unwrap_or_else(|| RemoteState { url: remote.to_owned(), ..Default::default() });
    let pushed = state.pushed_commit.as_deref().and_then(|c| git2::Oid::from_str(c).ok());
    if pushed == Some(tip) {
        return Ok(PushOutcome::UpToDate);
    }
    if let Some(until) = state.next_attempt_at.filter(|at| *at > now_ms && trigger == Trigger::AfterFetch) {
        return Ok(PushOutcome::Waiting { until });
    }
    let commits = commit::commits_between(repo, tip, pushed)?;
    let outcome = match push::push(root, remote, &tip.to_string(), &git.branch, git.push_timeout) {
        Ok(()) => {
            state.pushed_commit = Some(tip.to_string());
            state.pushed_at = Some(now_ms);
            state.last_error = None;
            state.failures = 0;
            state.next_attempt_at = None;
            PushOutcome::Pushed { commits }
        }
        Err(error) => {
            state.failures = state.failures.saturating_add(1);
            let next_attempt_at = now_ms + backoff(state.failures).as_millis() as i64;
            state.last_error = Some(error.clone());
            state.next_attempt_at = Some(next_attempt_at);
            PushOutcome::Failed { error, next_attempt_at }
        }
    };
    writer.record_push(&state)?;
    Ok(outcome)
}

/// The wait before an automatic retry after `failures` failed pushes in a row: a
/// minute, doubling, at most six hours.
pub fn backoff(failures: u32) -> Duration {
    let minutes = 1u64 << failures.saturating_sub(1).min(9);
    Duration::from_secs((minutes * 60).min(6 * 3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_six_hours() {
        let minutes: Vec<u64> = (1..=11).map(|n| backoff(n).as_secs() / 60).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360]);
        assert_eq!(backoff(u32::MAX).as_secs(), 6 * 3600);
    }
}
