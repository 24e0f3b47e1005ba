#!/usr/bin/env bash
# Fetch benchmark: a loopback server with 10,000 feeds of 20 items on 250 loopback
# addresses; the release `feedvault fetch` archives them all, then finds them all
# unchanged (304). Once with the default politeness, once with it lifted.
# Run from the repo root as root: bash bench/fetch/run.sh
# Env: FEEDS (10000), ITEMS (20).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet -p feedvault -p feedvault-bench
source bench/fresh-fs.sh
"${CARGO_TARGET_DIR:-target}/release/feedvault-bench" fetch --feeds "${FEEDS:-10000}" --items "${ITEMS:-20}"
