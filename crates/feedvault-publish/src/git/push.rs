//! Pushing runs the `git` program, so credential helpers, ssh-agent, SSH config and
//! proxies work as they do for the user. Every failure (git missing, a refused
//! push, an unreachable host, a push that outlives its timeout) becomes one line;
//! credentials in a remote's URL never appear in it. Packing (`git gc --auto`)
//! runs the same way.

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How often a running push is looked at.
const POLL: Duration = Duration::from_millis(20);

/// Pushes `commit` to `branch` of `remote`; on failure, why, in one line.
pub(crate) fn push(root: &Path, remote: &str, commit: &str, branch: &str, timeout: Duration) -> Result<(), String> {
    let refspec = format!("{commit}:refs/heads/{branch}");
    run_git(root, &["-c", "credential.interactive=false", "push", "--porcelain", "--", remote, &refspec], timeout)
}

/// `git gc --auto`: every commit adds one pack, and git packs them together once
/// there are more than `gc.autoPackLimit` (50), so object lookups stay fast. Cheap
/// when there is nothing to do.
pub(crate) fn collect_garbage(root: &Path, timeout: Duration) -> Result<(), String> {
    // In the foreground: no git left running after publishing returns.
    run_git(root, &["-c", "gc.autoDetach=false", "gc", "--auto", "--quiet"], timeout)
}

/// Runs git in `root` with no terminal and a time limit; on failure, why, in one line.
fn run_git(root: &Path, args: &[&str], timeout: Duration) -> Result<(), String> {
    let mut child = Command::new("git")
        .current_dir(root)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => "the git program is not installed (pushing runs `git push`)".to_owned(),
            _ => format!("running git: {e}"),
        })?;
    // Drained on their own threads, so a talkative git never blocks on a full pipe.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no answer within {}s; stopped", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(POLL),
            Err(e) => return Err(format!("waiting for git: {e}")),
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    if status.success() {
        return Ok(());
    }
    Err(redact(&one_line(&stdout, &stderr)))
}

fn drain(pipe: Option<impl std::io::Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(pipe) = pipe {
            let mut bytes = Vec::new();
            let _ = pipe.take(64 * 1024).read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

/// The line that says why: a rejected ref from the porcelain output, else git's
/// first fatal or error line, else its last line.
fn one_line(stdout: &str, stderr: &str) -> String {
    let rejected = stdout.lines().find(|l| l.starts_with('!')).map(|l| {
        let reason = l.rsplit('\t').next().unwrap_or(l).trim();
        format!("rejected: {reason}")
    });
    let said = stderr
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("fatal:") || l.starts_with("error:"))
        .or_else(|| stderr.lines().map(str::trim).rfind(|l| !l.is_empty()))
        .map(str::to_owned);
    rejected.or(said).unwrap_or_else(|| "git push failed without saying why".to_owned())
}

/// A URL with its user and password replaced (`https://***@host/…`), anywhere in a
/// line.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let end = tail.find(|c: char| c.is_whitespace() || c == '/' || c == '\'' || c == '"').unwrap_or(tail.len());
        match tail[..end].rfind('@') {
            Some(userinfo) => {
                out.push_str("***");
                out.push_str(&tail[userinfo..end]);
            }
            None => out.push_str(&tail[..end]),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_show() {
        assert_eq!(redact("https://user:tok3n@example.org/a.git"), "https://***@example.org/a.git");
        assert_eq!(
            redact("fatal: unable to access 'https://x:y@h/r.git/': refused"),
            "fatal: unable to access 'https://***@h/r.git/': refused"
        );
        assert_eq!(redact("git@github.com:someone/news.git"), "git@github.com:someone/news.git");
        assert_eq!(redact("/srv/mirrors/news.git"), "/srv/mirrors/news.git");
    }

    #[test]
    fn the_reason_is_one_line() {
        let porcelain = "To /tmp/r.git\n!\tabc:refs/heads/main\t[rejected] (fetch first)\nDone\n";
        assert_eq!(one_line(porcelain, "error: failed to push some refs"), "rejected: [rejected] (fetch first)");
        assert_eq!(
            one_line("", "remote: hi\nfatal: '/nowhere' does not appear to be a git repository\nfatal: Could not read"),
            "fatal: '/nowhere' does not appear to be a git repository"
        );
        assert_eq!(one_line("", ""), "git push failed without saying why");
    }
}
