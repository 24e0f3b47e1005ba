//! The command line (DESIGN.md, Command line): the stable contract scripts rely on.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "feedvault", version, about = "Archive news feeds, forever, as plain files.")]
pub struct Cli {
    /// The vault folder (default: $FEEDVAULT_VAULT, else ./vault).
    #[arg(long, global = true, env = "FEEDVAULT_VAULT", default_value = "vault")]
    pub vault: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a vault.
    Init {
        /// Article layout: "dated" (archive/<feed>/YYYY/MM/DD/) or "countdown" (articles/<feed>/<id>.md).
        #[arg(long, default_value = "dated")]
        layout: String,
        /// Time zone of the day folders (an IANA name such as Asia/Shanghai).
        #[arg(long, default_value = "UTC")]
        timezone: String,
    },
    /// Subscribe to a feed: an http(s):// or file:// URL, or a path.
    Add {
        url: String,
        /// The feed's name in the vault (made a slug); default: from its title or URL.
        #[arg(long)]
        name: Option<String>,
        /// When the address is a page advertising several feeds, take the first
        /// (for scripts; on a terminal you are asked).
        #[arg(long)]
        first: bool,
    },
    /// Unsubscribe from a feed (by name or URL); its articles stay archived.
    Remove { feed: String },
    /// List feeds with their state and last error.
    List {
        /// List the articles marked removed from their page or vanished from their
        /// feed instead, with the evidence of each.
        #[arg(long)]
        removed: bool,
    },
    /// Subscribe to every feed of an OPML file.
    ImportOpml { file: PathBuf },
    /// Print the subscriptions as OPML.
    ExportOpml,
    /// Fetch every due feed once, and archive what is new or changed.
    Fetch {
        /// Fetch every feed, ignoring validators and the unchanged-body shortcut.
        #[arg(long)]
        force: bool,
        /// Wait this many seconds for another writer (a fetch, the daemon) to finish
        /// instead of failing at once.
        #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "3600")]
        wait: Option<u64>,
    },
    /// Fetch on schedule until SIGINT or SIGTERM (finishing what is being written),
    /// and serve the web UI and API.
    Daemon {
        /// Log lines as "human" text or "json".
        #[arg(long, default_value = "human")]
        log_format: String,
        #[command(flatten)]
        web: Web,
    },
    /// Serve the web UI and JSON API until SIGINT or SIGTERM.
    Serve {
        #[command(flatten)]
        web: Web,
    },
    /// Extract the full text again for a feed's archived articles (its full_text
    /// setting), writing a revision where the text differs.
    RefetchText {
        feed: String,
        /// Wait this many seconds for another writer to finish instead of failing at once.
        #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "3600")]
        wait: Option<u64>,
    },
    /// Print a parsed feed as JSON (no vault needed).
    Parse { file_or_url: String },
    /// Bring article files from another archive into the vault.
    ImportArchive { dir: PathBuf },
    /// Commit what the archive changed and push it to the [publish.git] remotes.
    Publish {
        /// Show, per remote, the last pushed commit, how far behind it is and its
        /// last error, instead.
        #[arg(long)]
        status: bool,
        /// Wait this many seconds for another writer to finish.
        #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "3600")]
        wait: Option<u64>,
    },
    /// Rebuild state.db and the search index from archive/ and feedvault.toml.
    Reindex,
    /// Check that the archive, state.db and the search index agree; exit 1 listing the problems.
    Verify,
    /// Search the archive (words, "phrases", -exclusion, OR, feed:, title:, after:, before:).
    Search {
        query: String,
        /// Print a JSON array of {title, link, path, published, snippet}.
        #[arg(long)]
        json: bool,
        /// Results per page.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Which page of results (from 1).
        #[arg(long, default_value_t = 1)]
        page: usize,
        /// Only this feed.
        #[arg(long)]
        feed: Option<String>,
        /// Published on or after this day (YYYY-MM-DD, UTC).
        #[arg(long)]
        since: Option<String>,
        /// Published on or before this day (YYYY-MM-DD, UTC).
        #[arg(long)]
        until: Option<String>,
        /// relevance (BM25, titles count more) or date (newest first).
        #[arg(long, default_value = "relevance")]
        sort: String,
    },
    /// Stream the archive out: JSON Lines for corpora, WARC for web archives.
    Export {
        #[command(subcommand)]
        format: ExportFormat,
    },
}

/// What `export` writes.
#[derive(Debug, Subcommand)]
pub enum ExportFormat {
    /// One JSON object per article (stdout unless FILE is given).
    Jsonl {
        /// The file to write (atomically); without it, stdout.
        file: Option<PathBuf>,
        /// Only articles from this day on (YYYY-MM-DD, in the vault's time zone).
        #[arg(long, value_name = "DAY")]
        since: Option<String>,
        /// Only this feed's articles.
        #[arg(long)]
        feed: Option<String>,
        /// List every earlier version of each article instead of counting them.
        #[arg(long)]
        revisions: bool,
    },
    /// A WARC/1.1 file: one resource record per archived version of each article.
    Warc {
        /// The file to write (atomically); a name ending in .gz is gzipped per record.
        file: PathBuf,
    },
    /// A static HTML mirror: the web UI's pages with relative links, no search, no forms.
    Site {
        /// The folder to write: missing, empty, or an earlier export (replaced whole).
        dir: PathBuf,
        /// The pages' language: en or zh.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Where the mirror will be served (https://example.org/news): with it, feeds
        /// out (Atom, RSS, JSON Feed) are written too.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
    },
}

/// The web server's options (`serve`, `daemon`).
#[derive(Debug, clap::Args)]
pub struct Web {
    /// The address to listen on (port 0: any free port). Off loopback, changes from
    /// the web need --token.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// The token that changes from the web must carry when not bound to loopback.
    #[arg(long, env = "FEEDVAULT_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Let the web form subscribe to loopback, private and link-local addresses.
    #[arg(long)]
    pub allow_private_feeds: bool,
    /// A Host name (with port) accepted for changes besides the bound address, e.g.
    /// behind a reverse proxy; repeatable.
    #[arg(long = "allowed-host", value_name = "HOST:PORT")]
    pub allowed_hosts: Vec<String>,
}
