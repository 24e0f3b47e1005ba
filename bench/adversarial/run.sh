#!/usr/bin/env bash
# Linear-time benchmark (issue: parsing you can trust): one adversarial item of 8
# MiB and one of 32 MiB (runs of `&`, `<`, `<script>`, `<!--`, long attribute lists),
# each archived end to end by the release `feedvault fetch` into a new vault (parse,
# archive, index), timed. Run from the repo root: bash bench/adversarial/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet -p feedvault
BIN="${CARGO_TARGET_DIR:-target}/release/feedvault"
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
python3 bench/adversarial/gen.py "$DATA" >/dev/null
for size in 8m 32m; do
  vault="$DATA/vault-$size"
  "$BIN" --vault "$vault" init >/dev/null
  printf '\n[[feeds]]\nname = "hostile"\nurl = "file://%s"\n' "$DATA/adversarial-$size.xml" >>"$vault/feedvault.toml"
  start=$(date +%s.%N)
  "$BIN" --vault "$vault" fetch >/dev/null
  end=$(date +%s.%N)
  python3 -c "import json,sys; print(json.dumps({'benchmark': 'adversarial fetch', 'size': '$size', 'seconds': round($end - $start, 3)}))"
  "$BIN" --vault "$vault" verify >/dev/null
done
