//! feedvault: archive news feeds, forever, as plain files.
//!
//! The binary only parses arguments, calls the engine (`feedvault-engine`, which
//! runs the pipeline fetch → parse → archive → index) and formats results; each
//! subcommand lives in its own file under `commands/`. Errors become one line on
//! stderr and an exit code: 0 success, 1 runtime failure, 2 usage or configuration
//! error (DESIGN.md). A closed stdout is not a failure: the command ends quietly
//! with 0 (docs/DECISIONS.md).

mod cli;
mod commands;
mod output;

use std::panic::AssertUnwindSafe;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;

/// An error in what the user asked for or configured: exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Shorthand for returning a usage error.
#[macro_export]
macro_rules! usage {
    ($($arg:tt)*) => { anyhow::Error::new($crate::UsageError(format!($($arg)*))) };
}

/// Set by the panic hook when a panic is only `println!` meeting a closed stdout.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

fn main() -> ExitCode {
    // A bug must still end in one clear line, not a backtrace (parsing has its own
    // boundary per feed; this is the last resort). A reader that closed our stdout
    // (`feedvault parse URL | head -1`) is no bug: `println!` panics on the broken
    // pipe, and that ends quietly with exit 0 instead, as ripgrep does.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        if is_closed_stdout_panic(&message) {
            STDOUT_CLOSED.store(true, Ordering::SeqCst);
            return;
        }
        let location = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("feedvault: internal error{location}: {message} (please report this)");
    }));
    let cli = cli::Cli::parse();
    let result = match std::panic::catch_unwind(AssertUnwindSafe(|| commands::run(cli))) {
        Ok(result) => result,
        Err(_) if STDOUT_CLOSED.load(Ordering::SeqCst) => return ExitCode::SUCCESS,
        Err(payload) => std::panic::resume_unwind(payload),
    };
    match result {
        Ok(code) => code,
        // A closed stdout, seen as an error (`writeln!`) or as a print panic on another
        // thread that surfaced as an error here.
        Err(err) if is_broken_pipe(&err) || STDOUT_CLOSED.load(Ordering::SeqCst) => ExitCode::SUCCESS,
        Err(err) => {
            let usage = err.downcast_ref::<UsageError>().is_some()
                || err.downcast_ref::<feedvault_engine::EngineError>().is_some_and(|e| e.is_usage());
            let message = format!("{err:#}").replace('\n', " ");
            eprintln!("feedvault: {message}");
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}

/// True when an error was caused by writing to a closed pipe.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// True for the panic of `print!`/`println!` when stdout is a closed pipe: std panics
/// with "failed printing to stdout: <the io::Error>", and the error of EPIPE displays
/// as the OS describes it.
fn is_closed_stdout_panic(message: &str) -> bool {
    let broken_pipe = std::io::Error::from_raw_os_error(EPIPE).to_string();
    message.strip_prefix("failed printing to stdout: ").is_some_and(|rest| rest == broken_pipe)
}

/// EPIPE, the same number on every Unix feedvault builds for (Linux, macOS, the BSDs).
const EPIPE: i32 = 32;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_stdout_is_recognised() {
        let epipe = std::io::Error::from_raw_os_error(EPIPE);
        assert_eq!(epipe.kind(), std::io::ErrorKind::BrokenPipe);
        assert!(is_closed_stdout_panic(&format!("failed printing to stdout: {epipe}")));
        let full = std::io::Error::from_raw_os_error(28); // ENOSPC: a real failure
        assert!(!is_closed_stdout_panic(&format!("failed printing to stdout: {full}")));
        assert!(!is_closed_stdout_panic(&format!("failed printing to stderr: {epipe}")));
        assert!(!is_closed_stdout_panic("index out of bounds"));

        let wrapped = anyhow::Error::new(epipe).context("writing the feed");
        assert!(is_broken_pipe(&wrapped));
        assert!(!is_broken_pipe(&anyhow::Error::new(full)));
        assert!(!is_broken_pipe(&anyhow::anyhow!("broken pipe")));
    }
}
