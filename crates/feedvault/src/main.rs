//! feedvault: archive news feeds, forever, as plain files.
//!
//! The binary only parses arguments, calls the engine (`feedvault-engine`, which
//! runs the pipeline fetch → parse → archive → index) and formats results; each
//! subcommand lives in its own file under `commands/`. Errors become one line on stderr and an exit code:
//! 0 success, 1 runtime failure, 2 usage or configuration error (DESIGN.md).

mod cli;
mod commands;
mod output;

use std::process::ExitCode;

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

fn main() -> ExitCode {
    // A bug must still end in one clear line, not a backtrace (parsing has its own
    // boundary per feed; this is the last resort).
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!("feedvault: internal error{location}: {message} (please report this)");
    }));
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            let usage = err.downcast_ref::<UsageError>().is_some()
                || err.downcast_ref::<feedvault_engine::EngineError>().is_some_and(|e| e.is_usage());
            let message = format!("{err:#}").replace('\n', " ");
            eprintln!("feedvault: {message}");
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}
