//! `feedvault parse FILE_OR_URL`: print a parsed feed as JSON.

use std::process::ExitCode;

use anyhow::{Context, Result};
use feedvault_feed::ParseOptions;
use feedvault_fetch::{FetchOptions, Fetched, Fetcher, Source, Validators};

use crate::usage;

pub fn run(file_or_url: &str) -> Result<ExitCode> {
    let source = Source::parse(file_or_url, &std::env::current_dir()?).map_err(|e| usage!("{e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let fetcher = Fetcher::new(FetchOptions::default())?;
    let fetched = runtime.block_on(fetcher.fetch(&source, &Validators::default()))?;
    let Fetched::Body(body) = fetched else { unreachable!("an unconditional request is never answered 304") };
    let options =
        ParseOptions { url: Some(body.final_url.clone()), http_charset: body.charset, ..ParseOptions::default() };
    let feed = feedvault_feed::parse(&body.bytes, &options).with_context(|| body.final_url.to_string())?;
    println!("{}", serde_json::to_string_pretty(&feed)?);
    Ok(ExitCode::SUCCESS)
}
