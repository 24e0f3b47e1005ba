#!/usr/bin/env bash
# CI: licences and banned crates of the whole workspace (deny.toml), offline.
# Installs cargo-deny from crates.io when it is missing (a few minutes, once).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo-deny >/dev/null 2>&1; then
    cargo install cargo-deny --locked
fi
cargo deny --offline check licenses bans
