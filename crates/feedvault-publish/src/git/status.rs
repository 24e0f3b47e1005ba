//! `feedvault publish --status`: the branch, what waits for a commit, and per
//! remote the last pushed commit, how far behind it is and its last error. Reads
//! only, so it works while a daemon publishes.

use feedvault_engine::Vault;
use feedvault_engine::settings::GitSection;
use git2::Oid;

use super::{Result, commit, redact, repository};

/// The state of git publishing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub branch: String,
    /// The branch's tip: (commit id, commit time in s), if it has one.
    pub tip: Option<(String, i64)>,
    /// Files changed since the last commit.
    pub waiting: u64,
    pub remotes: Vec<RemoteStatus>,
}

/// One remote, as the last attempts left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteStatus {
    /// The URL with credentials hidden.
    pub remote: String,
    pub pushed_commit: Option<String>,
    pub pushed_at: Option<i64>,
    /// Commits on the branch the remote has not been sent.
    pub behind: usize,
    pub last_error: Option<String>,
    pub failures: u32,
    pub next_attempt_at: Option<i64>,
}

/// Reads the state of publishing to `git`'s remotes.
pub fn status(vault: &Vault, git: &GitSection) -> Result<Status> {
    let records = vault.push_remotes()?;
    let repo = repository::open(vault.root())?;
    let tip = repo.as_ref().and_then(|r| {
        let commit = r.find_reference(&repository::branch_ref(&git.branch)).ok()?.peel_to_commit().ok()?;
        Some((commit.id(), commit.committer().when().seconds()))
    });
    let mut remotes = Vec::new();
    for remote in &git.remotes {
        let record = records.iter().find(|r| &r.url == remote).cloned().unwrap_or_default();
        let pushed = record.pushed_commit.as_deref().and_then(|c| Oid::from_str(c).ok());
        let behind = match (&repo, tip) {
            (Some(repo), Some((tip, _))) => commit::commits_between(repo, tip, pushed)?,
            _ => 0,
        };
        remotes.push(RemoteStatus {
            remote: redact(remote),
            pushed_commit: record.pushed_commit,
            pushed_at: record.pushed_at,
            behind,
            last_error: record.last_error,
            failures: record.failures,
            next_attempt_at: record.next_attempt_at,
        });
    }
    Ok(Status {
        branch: git.branch.clone(),
        tip: tip.map(|(id, at)| (id.to_string(), at)),
        waiting: vault.unpublished_count()?,
        remotes,
    })
}
