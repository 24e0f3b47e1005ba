#!/usr/bin/env bash
# WARC exports checked by warcio (Python, in a private virtualenv from PyPI): builds
# feedvault (debug, as `cargo test` does), makes a vault from examples/feeds with one
# article revised, exports .warc and .warc.gz, and runs `warcio check` (every digest
# recomputed) and `warcio index` on both. Fails unless both pass and each index lists
# one resource record per article file and revision file, after one warcinfo.
# Run from anywhere: bash bench/export/warcio.sh   Env: CARGO_TARGET_DIR (default target).
set -euo pipefail
cd "$(dirname "$0")/../.."
B=bench/export
TARGET=${CARGO_TARGET_DIR:-target}

[ -x "$B/.venv/bin/warcio" ] || {
  [ -x "$B/.venv/bin/python" ] || python3 -m venv "$B/.venv"
  "$B/.venv/bin/pip" install --quiet warcio==1.8.1
}

cargo build --quiet -p feedvault
FV="$TARGET/debug/feedvault"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

V="$WORK/v"
"$FV" --vault "$V" init >/dev/null
cp examples/feeds/zh-news.rss.xml "$WORK/zh-news.rss.xml"
"$FV" --vault "$V" add "$WORK/zh-news.rss.xml" --name zh-news >/dev/null
for f in examples/feeds/tech.atom.xml examples/feeds/notes.json; do "$FV" --vault "$V" add "$f" >/dev/null; done
"$FV" --vault "$V" fetch >/dev/null
# An edit of the first item's body, so that one article has an earlier version.
python3 - "$WORK/zh-news.rss.xml" <<'PY'
import sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
at = text.index("]]></content:encoded>")
open(path, "w", encoding="utf-8").write(text[:at] + "<p>（更正）</p>" + text[at:])
PY
"$FV" --vault "$V" fetch --force >/dev/null

files=$(find "$V/archive" -name '*.md' ! -name README.md | wc -l)
revisions=$(find "$V/archive" -path '*.revisions/*.md' | wc -l)
[ "$revisions" -ge 1 ] || { echo "FAIL: no revision was archived"; exit 1; }

passed=0 failed=0
for name in export.warc export.warc.gz; do
  "$FV" --vault "$V" export warc "$WORK/$name" >/dev/null
  problems=""
  "$B/.venv/bin/warcio" check -v "$WORK/$name" >"$WORK/check.txt" 2>&1 || problems="warcio check failed"
  passes=$(grep -c "digest pass" "$WORK/check.txt" || true)
  [ "$passes" -eq $((files + 1)) ] || problems="${problems:-warcio check passed $passes digests of $((files + 1)) records}"
  "$B/.venv/bin/warcio" index -f warc-type,warc-target-uri,length,offset "$WORK/$name" >"$WORK/index.jsonl" \
    || problems="${problems:-warcio index failed}"
  resources=$(grep -c '"warc-type": "resource"' "$WORK/index.jsonl" || true)
  infos=$(head -1 "$WORK/index.jsonl" | grep -c '"warc-type": "warcinfo"' || true)
  [ "$resources" -eq "$files" ] || problems="${problems:-index lists $resources resource records, expected $files}"
  [ "$infos" -eq 1 ] || problems="${problems:-the first record is not a warcinfo}"
  if [ -n "$problems" ]; then
    failed=$((failed + 1)); echo "FAIL $name: $problems"; head -20 "$WORK/check.txt"
  else
    passed=$((passed + 1)); echo "ok   $name ($resources resource records, $revisions of them earlier versions; digests pass)"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
