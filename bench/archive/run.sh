#!/usr/bin/env bash
# Archive benchmark: 10,000 new items from 20 local feeds of 500, archived end to
# end by the release `feedvault fetch` (parse, identity, durable writes, state.db).
# Run from the repo root as root: bash bench/archive/run.sh
# Env: RUNS (default 3), FEEDS (20), ITEMS (500).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet -p feedvault -p feedvault-bench
source bench/fresh-fs.sh
for _ in $(seq "${RUNS:-3}"); do
  "${CARGO_TARGET_DIR:-target}/release/feedvault-bench" archive --feeds "${FEEDS:-20}" --items "${ITEMS:-500}"
done
