#!/usr/bin/env bash
# Parse benchmark, end to end: feedvault vs feedparser (Python) vs rss-parser
# (Node) vs a bare quick-xml tokenizer, on a generated ~5 MB Chinese full-text
# feed in UTF-8 and in GBK. Run from the repo root: bash bench/parse/run.sh
# Env: BENCH_SECONDS (per parser and file, default 5);
#      BENCH_SKIP_RUST=1 runs only the Python/Node baselines (no cargo).
set -euo pipefail
cd "$(dirname "$0")/../.."
B=bench/parse
DATA=target/bench-data
SECS=${BENCH_SECONDS:-5}

# Python baseline: private venv with pinned feedparser.
[ -x "$B/.venv/bin/python" ] || python3 -m venv "$B/.venv"
"$B/.venv/bin/python" -c 'import feedparser' 2>/dev/null \
  || "$B/.venv/bin/pip" install --quiet feedparser==6.0.14
# Node baseline: versions from package-lock.json.
[ -d "$B/node_modules" ] || (cd "$B" && npm ci --no-audit --no-fund)

"$B/.venv/bin/python" "$B/gen_feed.py" "$DATA"
[ "${BENCH_SKIP_RUST:-0}" = 1 ] || cargo build --release -p feedvault-bench

RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
for f in zh-500.xml zh-500-gbk.xml; do
  echo "benchmarking $f ..." >&2
  [ "${BENCH_SKIP_RUST:-0}" = 1 ] \
    || "${CARGO_TARGET_DIR:-target}/release/feedvault-bench" parse "$DATA/$f" --seconds "$SECS" >>"$RESULTS"
  "$B/.venv/bin/python" "$B/feedparser_bench.py" "$DATA/$f" --seconds "$SECS" >>"$RESULTS"
  node "$B/rss_parser_bench.js" "$DATA/$f" --seconds "$SECS" >>"$RESULTS"
done

# Markdown table; ratios are feedvault's MB/s over the other parser's, same file.
python3 - "$RESULTS" <<'PY'
import json, os, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
others = ["feedparser", "rss-parser", "quick-xml"]  # matched as parser-name prefixes
print("| file | parser | MB/s | " + " | ".join(f"feedvault/{n}" for n in others) + " |")
print("|---|---|---:|" + "---:|" * len(others))
for f in dict.fromkeys(os.path.basename(r["file"]) for r in rows):
    mine = [r for r in rows if os.path.basename(r["file"]) == f]
    fv = next((r["mb_per_s"] for r in mine if r["parser"] == "feedvault"), None)
    for r in mine:
        cells = [""] * len(others)
        if r["parser"] == "feedvault":
            for i, prefix in enumerate(others):
                o = next((x["mb_per_s"] for x in mine if x["parser"].startswith(prefix)), None)
                cells[i] = f"{fv / o:.2f}x" if o else "n/a"
        print(f"| {f} | {r['parser']} | {r['mb_per_s']:.1f} | " + " | ".join(cells) + " |")
    if fv is None:
        print(f"| {f} | feedvault | n/a | " + " | ".join(["n/a"] * len(others)) + " |")
PY
