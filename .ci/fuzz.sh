#!/usr/bin/env bash
# CI: every fuzz target for a bounded time (fuzz/run.sh), from the committed corpus.
# Installs cargo-fuzz from crates.io when it is missing. SECONDS per target (default 30):
# four targets take two minutes, and building them from scratch two to four more here.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
fuzz/run.sh "${1:-30}"
