//! One module per subcommand; [`run`] dispatches.

mod add;
mod cycle;
mod daemon;
mod fetch;
mod import_archive;
mod index;
mod init;
mod list;
mod opml;
mod parse;
mod reindex;
mod remove;
mod search;
mod verify;

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use feedvault_archive::{Archiver, VaultLock};
use feedvault_store::{SqliteStore, Store};

use crate::cli::{Cli, Command};
use crate::config::Config;

pub fn run(cli: Cli) -> Result<ExitCode> {
    let vault = cli.vault.as_path();
    match cli.command {
        Command::Init { layout, timezone } => init::run(vault, &layout, &timezone),
        Command::Add { url, name, first } => add::run(vault, &url, name.as_deref(), first),
        Command::Remove { feed } => remove::run(vault, &feed),
        Command::List => list::run(vault),
        Command::ImportOpml { file } => opml::import(vault, &file),
        Command::ExportOpml => opml::export(vault),
        Command::Fetch { force } => fetch::run(vault, force),
        Command::Daemon { log_format } => daemon::run(vault, &log_format),
        Command::Parse { file_or_url } => parse::run(&file_or_url),
        Command::ImportArchive { dir } => import_archive::run(vault, &dir),
        Command::Reindex => reindex::run(vault),
        Command::Verify => verify::run(vault),
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

/// Opens state.db of a vault.
pub fn open_store(vault: &Path) -> Result<SqliteStore> {
    let path = vault.join("state.db");
    SqliteStore::open(&path).with_context(|| format!("opening {}", path.display()))
}

/// Takes the vault lock and opens an archiver with every subscribed feed recorded.
pub fn open_archiver(vault: &Path, config: &Config) -> Result<Archiver<SqliteStore>> {
    let lock = VaultLock::acquire(vault, Duration::ZERO)?;
    let mut store = open_store(vault)?;
    for feed in &config.feeds {
        store.ensure_feed(&feed.name, &feed.url)?;
    }
    Ok(Archiver::new(vault, store, config.settings, lock))
}
