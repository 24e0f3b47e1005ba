//! `feedvault parse FILE_OR_URL`: print a parsed feed as JSON.
//!
//! Any answer that is not a document (304, 204, 1xx, a redirect loop) is the fetcher's
//! one-line error, exit 1. Output is written, not `println!`ed, so a closed stdout is
//! an I/O error that `main` turns into a quiet exit 0.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use feedvault_feed::ParseOptions;
use feedvault_fetch::{FetchOptions, Fetched, Fetcher, Source, Validators};

use crate::usage;

pub fn run(file_or_url: &str) -> Result<ExitCode> {
    let source = Source::parse(file_or_url, &std::env::current_dir()?).map_err(|e| usage!("{e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let fetcher = Fetcher::new(FetchOptions::default())?;
    let fetched = runtime.block_on(fetcher.fetch(&source, &Validators::default()))?;
    let body = match fetched {
        Fetched::Body(body) => body,
        // The fetcher refuses a 304 to an unconditional request; never trust that here.
        Fetched::NotModified => bail!("{}: answered 304 Not Modified, with no document", source.to_url_string()),
    };
    let options = ParseOptions {
        url: Some(body.final_url.clone()),
        http_charset: body.charset,
        content_location: body.content_location,
        ..ParseOptions::default()
    };
    let feed = feedvault_feed::parse(&body.bytes, &options).with_context(|| body.final_url.to_string())?;
    let mut json = serde_json::to_string_pretty(&feed)?;
    json.push('\n');
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(json.as_bytes()).and_then(|()| stdout.flush()).context("writing to stdout")?;
    Ok(ExitCode::SUCCESS)
}
