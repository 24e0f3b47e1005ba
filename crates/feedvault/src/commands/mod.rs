//! One module per subcommand; [`run`] dispatches.

mod add;
mod daemon;
mod export;
mod fetch;
mod import_archive;
mod init;
mod list;
mod list_removed;
mod opml;
mod parse;
mod publish;
mod refetch_text;
mod reindex;
mod remove;
mod requests;
mod search;
mod serve;
mod verify;

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use feedvault_engine::{Vault, VaultWriter};

use crate::cli::{Cli, Command};

pub fn run(cli: Cli) -> Result<ExitCode> {
    let vault = cli.vault.as_path();
    match cli.command {
        Command::Init { layout, timezone } => init::run(vault, &layout, &timezone),
        Command::Add { url, name, first } => add::run(vault, &url, name.as_deref(), first),
        Command::Remove { feed } => remove::run(vault, &feed),
        Command::List { removed: false } => list::run(vault),
        Command::List { removed: true } => list_removed::run(vault),
        Command::ImportOpml { file } => opml::import(vault, &file),
        Command::ExportOpml => opml::export(vault),
        Command::Fetch { force, wait } => fetch::run(vault, force, wait),
        Command::Daemon { log_format, web } => daemon::run(vault, &log_format, &web_args(web)),
        Command::Serve { web } => serve::run(vault, &web_args(web)),
        Command::RefetchText { feed, wait } => refetch_text::run(vault, &feed, wait),
        Command::Parse { file_or_url } => parse::run(&file_or_url),
        Command::ImportArchive { dir } => import_archive::run(vault, &dir),
        Command::Publish { status, wait } => publish::run(vault, status, wait),
        Command::Reindex => reindex::run(vault),
        Command::Verify => verify::run(vault),
        Command::Export { format } => export::run(vault, format),
        Command::Search { query, json, limit, page, feed, since, until, sort } => search::run(
            vault,
            search::SearchArgs {
                query: &query,
                json,
                limit,
                page,
                feed,
                since: since.as_deref(),
                until: until.as_deref(),
                sort: &sort,
            },
        ),
    }
}

fn web_args(web: crate::cli::Web) -> serve::WebArgs {
    serve::WebArgs {
        addr: web.addr,
        token: web.token,
        allow_private_feeds: web.allow_private_feeds,
        allowed_hosts: web.allowed_hosts,
    }
}

/// Opens the vault and becomes its writer (waiting up to `wait` for another one),
/// saying on stderr what healing did.
pub fn writer(vault: &Path, wait: Duration) -> Result<(Vault, VaultWriter)> {
    let opened = Vault::open(vault)?;
    let writer = opened.writer(wait)?;
    let healed = writer.healed();
    if healed.temp_files_removed > 0 {
        eprintln!("feedvault: removed {} temporary files left by an interrupted run", healed.temp_files_removed);
    }
    if healed.files_recovered + healed.files_forgotten > 0 {
        eprintln!(
            "feedvault: recovered {} files written before an interruption ({} never arrived)",
            healed.files_recovered, healed.files_forgotten
        );
    }
    if healed.index_rebuilt {
        eprintln!("feedvault: the search index could not be read; it was replaced by a new one");
    }
    if healed.indexed > 0 {
        eprintln!("feedvault: indexed {} articles the search index was missing", healed.indexed);
    }
    Ok((opened, writer))
}
