#!/usr/bin/env bash
# Engine benchmark (issue: engine): 20 feeds x 500 full-text Chinese items of about
# 10 KB (the parse benchmark's generated feed), archived end to end, side by side
# in the same run with an emulation of the original archiver's per-run work (Node
# rss-parser, one writeFileSync per article, no fsync). Runs alternate on one
# fresh file system. Run from the repo root as root: bash bench/engine/run.sh
# Env: RUNS (default 3), FEEDS (20).
set -euo pipefail
cd "$(dirname "$0")/../.."
B=bench/engine
DATA=target/bench-data
cargo build --release --quiet -p feedvault -p feedvault-bench
[ -d bench/parse/node_modules ] || (cd bench/parse && npm ci --no-audit --no-fund)
python3 bench/parse/gen_feed.py "$DATA" >/dev/null
source bench/fresh-fs.sh
FEEDS_DIR=$TMPDIR/feeds
mkdir -p "$FEEDS_DIR"
for f in $(seq 1 "${FEEDS:-20}"); do cp "$DATA/zh-500.xml" "$FEEDS_DIR/feed-$f.xml"; done
for run in $(seq "${RUNS:-3}"); do
  out=$TMPDIR/emulation-$run
  NODE_PATH=bench/parse/node_modules node "$B/original_archiver.js" "$out" "$FEEDS_DIR"/*.xml
  rm -rf "$out"
  "${CARGO_TARGET_DIR:-target}/release/feedvault-bench" engine --feeds-dir "$FEEDS_DIR" --vault "$TMPDIR/vault-$run"
  rm -rf "$TMPDIR/vault-$run"
done
