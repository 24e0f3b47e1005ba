#!/usr/bin/env bash
# WARC exports checked by warcio (Python, in a private virtualenv from PyPI): builds
# feedvault (debug, as `cargo test` does), makes a vault from examples/feeds with one
# article revised (zh-news served over HTTP by a loopback server this script starts,
# so its fetches are kept as raw captures), exports .warc and .warc.gz, and runs
# `warcio check` (every digest recomputed) and `warcio index` on both. Fails unless
# both pass, each index lists one resource record per article file and revision file
# after one warcinfo, and a request and a response record per raw capture, and every
# response payload is a body kept under captures/ (named by its SHA-256).
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
SERVER=""
trap '[ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT

V="$WORK/v"
"$FV" --vault "$V" init >/dev/null
mkdir "$WORK/www"
cp examples/feeds/zh-news.rss.xml "$WORK/www/zh-news.rss.xml"
# A loopback HTTP server on a free port (written to a file), stopped on exit.
python3 - "$WORK/www" "$WORK/port" 2>/dev/null <<'PY' &
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
open(sys.argv[2] + ".tmp", "w").write(str(server.server_address[1]))
__import__("os").rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
PY
SERVER=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || { echo "FAIL: the loopback server did not start"; exit 1; }
ZH="http://127.0.0.1:$(cat "$WORK/port")/zh-news.rss.xml"
"$FV" --vault "$V" add "$ZH" --name zh-news >/dev/null
for f in examples/feeds/tech.atom.xml examples/feeds/notes.json; do "$FV" --vault "$V" add "$f" >/dev/null; done
"$FV" --vault "$V" fetch >/dev/null
# An edit of the first item's body, so that one article has an earlier version.
python3 - "$WORK/www/zh-news.rss.xml" <<'PY'
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
captures=$(grep -c . "$V/captures/records.jsonl" || true)
[ "$captures" -ge 2 ] || { echo "FAIL: $captures raw captures kept, expected one per fetch that archived"; exit 1; }
records=$((files + 2 * captures + 1))

passed=0 failed=0
for name in export.warc export.warc.gz; do
  "$FV" --vault "$V" export warc "$WORK/$name" >/dev/null
  problems=""
  "$B/.venv/bin/warcio" check -v "$WORK/$name" >"$WORK/check.txt" 2>&1 || problems="warcio check failed"
  passes=$(grep -c "digest pass" "$WORK/check.txt" || true)
  [ "$passes" -eq "$records" ] || problems="${problems:-warcio check passed $passes digests of $records records}"
  "$B/.venv/bin/warcio" index -f warc-type,warc-target-uri,length,offset "$WORK/$name" >"$WORK/index.jsonl" \
    || problems="${problems:-warcio index failed}"
  resources=$(grep -c '"warc-type": "resource"' "$WORK/index.jsonl" || true)
  infos=$(head -1 "$WORK/index.jsonl" | grep -c '"warc-type": "warcinfo"' || true)
  [ "$resources" -eq "$files" ] || problems="${problems:-index lists $resources resource records, expected $files}"
  [ "$infos" -eq 1 ] || problems="${problems:-the first record is not a warcinfo}"
  responses=$(grep -c '"warc-type": "response"' "$WORK/index.jsonl" || true)
  requests=$(grep -c '"warc-type": "request"' "$WORK/index.jsonl" || true)
  [ "$responses" -eq "$captures" ] && [ "$requests" -eq "$captures" ] \
    || problems="${problems:-index lists $responses responses and $requests requests, expected $captures each}"
  # Every response payload is a kept body: its SHA-256 names a file under captures/.
  "$B/.venv/bin/python" - "$WORK/$name" "$V/captures" <<'PY' || problems="${problems:-a response payload is not a kept body}"
import hashlib, os, sys
from warcio.archiveiterator import ArchiveIterator
seen = 0
with open(sys.argv[1], "rb") as stream:
    for record in ArchiveIterator(stream):
        if record.rec_type != "response":
            continue
        digest = hashlib.sha256(record.content_stream().read()).hexdigest()
        kept = os.path.join(sys.argv[2], digest[:2], digest + ".zst")
        if not os.path.exists(kept):
            sys.exit(f"response for {record.rec_headers.get_header('WARC-Target-URI')}: no kept body {kept}")
        seen += 1
sys.exit(0 if seen else "no response record")
PY
  if [ -n "$problems" ]; then
    failed=$((failed + 1)); echo "FAIL $name: $problems"; head -20 "$WORK/check.txt"
  else
    passed=$((passed + 1)); echo "ok   $name ($resources resource records, $revisions of them earlier versions; $captures raw captures; digests pass)"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
