//! `feedvault init`: create a vault.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::config::{self, FILE_NAME};
use crate::usage;

pub fn run(vault: &Path, layout: &str, timezone: &str) -> Result<ExitCode> {
    let settings_layout = config::parse_layout(layout)?;
    timezone.parse::<chrono_tz::Tz>().map_err(|_| usage!("unknown time zone {timezone:?}"))?;
    if vault.join(FILE_NAME).exists() {
        return Err(usage!("{} is already a vault", vault.display()));
    }
    std::fs::create_dir_all(vault.join(settings_layout.root()))
        .with_context(|| format!("creating {}", vault.display()))?;
    feedvault_archive::durable::write_file(&vault.join(FILE_NAME), config::template(layout, timezone).as_bytes())
        .with_context(|| format!("writing {}", vault.join(FILE_NAME).display()))?;
    super::open_store(vault)?;
    let layout_note = match settings_layout {
        feedvault_archive::Layout::Dated => format!("dated layout, day folders in {timezone}"),
        feedvault_archive::Layout::Countdown => "countdown layout".to_owned(),
    };
    println!("Created a vault at {} ({layout_note}).", vault.display());
    Ok(ExitCode::SUCCESS)
}
