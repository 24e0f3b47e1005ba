#!/usr/bin/env bash
# CI: licences and banned crates of the whole workspace (deny.toml). `cargo fetch`
# first brings every platform's dependencies from crates.io (cargo test downloads
# only this machine's), so the check itself runs offline. Installs cargo-deny from
# crates.io when it is missing (a few minutes, once).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo-deny >/dev/null 2>&1; then
    cargo install cargo-deny --locked
fi
cargo fetch --locked
cargo deny --offline check licenses bans
