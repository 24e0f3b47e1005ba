//! `feedvault init`: create a vault.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use feedvault_engine::Vault;

pub fn run(vault: &Path, layout: &str, timezone: &str) -> Result<ExitCode> {
    Vault::init(vault, layout, timezone)?;
    let note = match layout {
        "countdown" => format!("countdown layout, lists dated in {timezone}"),
        _ => format!("dated layout, day folders in {timezone}"),
    };
    println!("Created a vault at {} ({note}).", vault.display());
    Ok(ExitCode::SUCCESS)
}
