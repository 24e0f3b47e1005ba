//! `feedvault export jsonl|warc|site`: the archive streamed out, or mirrored as
//! static pages. Files that cannot be read
//! are named on stderr, one line each, and left out; the export still succeeds and
//! says how many there were.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use chrono::NaiveDate;
use feedvault_engine::{ArticleQuery, Vault};
use feedvault_publish::export::jsonl::{JsonlOptions, export_jsonl};
use feedvault_publish::export::output::OutputFile;
use feedvault_publish::export::warc::export_warc;
use feedvault_publish::export::{ExportError, ExportReport, Unreadable, check_feed};

use crate::cli::ExportFormat;
use crate::output::count;
use crate::usage;

pub fn run(vault: &Path, format: ExportFormat) -> Result<ExitCode> {
    match format {
        ExportFormat::Jsonl { file, since, feed, revisions } => {
            jsonl(vault, file.as_deref(), since.as_deref(), feed, revisions)
        }
        ExportFormat::Warc { file } => warc(vault, &file),
        ExportFormat::Site { dir, lang, base_url } => site(vault, &dir, &lang, base_url),
    }
}

/// The static mirror (feedvault-web renders it).
fn site(vault: &Path, dir: &Path, lang: &str, base_url: Option<String>) -> Result<ExitCode> {
    use feedvault_web::site::{SiteError, SiteOptions, export_site};
    let lang = feedvault_web::i18n::Lang::parse(lang).ok_or_else(|| usage!("--lang {lang:?}: use en or zh"))?;
    let opened = std::sync::Arc::new(Vault::open(vault)?);
    let report = export_site(opened, dir, &SiteOptions { lang, base_url }).map_err(|err| match err {
        SiteError::Target { .. } | SiteError::BaseUrl { .. } => usage!("{err}"),
        other => other.into(),
    })?;
    for missing in &report.missing {
        eprintln!("feedvault: {missing}: linked but not found; the mirror holds the error page");
    }
    let feeds = if report.feeds > 0 { format!(", {} feeds", report.feeds) } else { String::new() };
    println!(
        "Wrote {} pages{feeds} and {} assets ({:.1} MB) to {}.",
        report.pages,
        report.assets,
        report.bytes as f64 / 1e6,
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Usage errors exit 2, the rest 1.
fn failed(err: ExportError) -> anyhow::Error {
    if err.is_usage() { usage!("{err}") } else { err.into() }
}

fn report_unreadable(file: Unreadable<'_>) {
    eprintln!("feedvault: skipped {}: {}", file.path, file.why);
}

/// "16 articles and 2 earlier versions" (those when there are any), with the
/// unreadable files if any.
fn summary(report: &ExportReport) -> String {
    let mut text = count(report.articles, "article");
    if report.revisions > 0 {
        text.push_str(&format!(" and {}", count(report.revisions, "earlier version")));
    }
    if report.captures > 0 {
        text.push_str(&format!(" with {}", count(report.captures, "raw capture")));
    }
    if report.unreadable > 0 {
        text.push_str(&format!("; {} skipped (listed above)", count(report.unreadable, "unreadable file")));
    }
    text
}

fn jsonl(
    vault: &Path,
    file: Option<&Path>,
    since: Option<&str>,
    feed: Option<String>,
    revisions: bool,
) -> Result<ExitCode> {
    let since = since
        .map(|day| {
            NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
                .map_err(|_| usage!("--since {day:?} is not a day (use YYYY-MM-DD)"))
        })
        .transpose()?;
    let opened = Vault::open(vault)?;
    if let Some(feed) = &feed {
        check_feed(&opened, feed).map_err(failed)?;
    }
    let options = JsonlOptions { query: ArticleQuery { feed, since, ..Default::default() }, revisions };
    match file {
        Some(path) => {
            let mut out = OutputFile::create(path).map_err(failed)?;
            let report = export_jsonl(&opened, &options, &mut out, report_unreadable).map_err(failed)?;
            out.commit().map_err(failed)?;
            println!("Exported {} to {}.", summary(&report), path.display());
        }
        None => {
            let mut out = BufWriter::with_capacity(256 * 1024, std::io::stdout().lock());
            let report = export_jsonl(&opened, &options, &mut out, report_unreadable).map_err(failed)?;
            out.flush().map_err(|e| failed(ExportError::Write(e)))?;
            eprintln!("feedvault: exported {}.", summary(&report));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn warc(vault: &Path, file: &Path) -> Result<ExitCode> {
    let opened = Vault::open(vault)?;
    let report = export_warc(&opened, file, report_unreadable).map_err(failed)?;
    println!(
        "Exported {} to {} ({} records with the warcinfo).",
        summary(&report),
        file.display(),
        report.articles + report.revisions + 2 * report.captures + 1
    );
    Ok(ExitCode::SUCCESS)
}
