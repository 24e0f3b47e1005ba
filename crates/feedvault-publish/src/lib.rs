//! feedvault-publish: the copies of a vault that outlive any one host.
//!
//! [`git`] commits what the engine changed (in-process, trees written from the
//! changed paths only) and pushes to every configured remote, with per-remote
//! status and retries. [`export`] streams the archive out for researchers and web
//! archives: JSON Lines and WARC. (The static HTML mirror is the web UI's own
//! pages rendered to files, so it lives in feedvault-web.)

pub mod export;
pub mod git;
