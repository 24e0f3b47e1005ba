#!/usr/bin/env bash
# Feeds out checked by Python's feedparser: builds feedvault, makes a vault from
# examples/feeds (plus one hostile article), serves it on loopback, and parses every
# feed out with feedparser (in a private virtualenv): no bozo flag, every entry with
# a link, and nothing executable left in the content after
# feedparser's own parsing. Run from anywhere: bash bench/web/feedparser.sh
# Env: CARGO_TARGET_DIR (default target), WEB_PORT (default 18089).
set -euo pipefail
cd "$(dirname "$0")/../.."
B=bench/web
PORT=${WEB_PORT:-18089}
TARGET=${CARGO_TARGET_DIR:-target}

[ -x "$B/.venv/bin/python" ] || python3 -m venv "$B/.venv"
"$B/.venv/bin/python" -c 'import feedparser' 2>/dev/null \
  || "$B/.venv/bin/pip" install --quiet feedparser==6.0.11

cargo build --quiet -p feedvault
FV="$TARGET/debug/feedvault"
WORK=$(mktemp -d)
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

"$FV" --vault "$WORK/v" init >/dev/null
for f in examples/feeds/*; do "$FV" --vault "$WORK/v" add "$f" >/dev/null; done
cat > "$WORK/hostile.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>hostile</title><link>https://evil.example/</link>
<item><guid isPermaLink="false">h1</guid><title>&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; 中国</title><link>javascript:alert(0)</link><pubDate>Tue, 20 Sep 2022 10:16:32 +0800</pubDate>
<content:encoded><![CDATA[<p>中国</p><script>alert(1)</script><p onclick="x()">p</p><a href="javascript:alert(2)">j</a><svg onload=alert(3)></svg><iframe src="https://evil.example/"></iframe><div style="width:expression(alert(4))">c</div><img src=x onerror=alert(5)>]]></content:encoded></item>
</channel></rss>
XML
"$FV" --vault "$WORK/v" add "$WORK/hostile.xml" --name hostile >/dev/null
"$FV" --vault "$WORK/v" fetch >/dev/null
# An edit, so that the changes feeds have an entry.
sed -i 's|<p>中国</p>|<p>中国 edited</p>|' "$WORK/hostile.xml"
"$FV" --vault "$WORK/v" fetch --force >/dev/null
"$FV" --vault "$WORK/v" serve --addr "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
SERVER=$!
for _ in $(seq 50); do grep -q "serving the web UI" "$WORK/serve.log" 2>/dev/null && break; sleep 0.1; done

"$B/.venv/bin/python" - "http://127.0.0.1:$PORT" <<'PY'
import re, sys, urllib.request
import feedparser

base = sys.argv[1]
paths = []
for feed in ["feed", "feeds/zh-news", "feeds/hostile", "changes"]:
    for ext in ["atom", "rss", "json"]:
        paths.append(f"/{feed}.{ext}")
paths += ["/search.atom?q=%E4%B8%AD%E5%9B%BD", "/search.rss?q=%E4%B8%AD%E5%9B%BD", "/search.json?q=%E4%B8%AD%E5%9B%BD"]
danger = re.compile(r"<\s*(script|iframe|object|embed|svg|style)|\son\w+\s*=|javascript:|style\s*=", re.I)
passed = failed = 0
for path in paths:
    body = urllib.request.urlopen(base + path).read()
    problems = []
    if path.endswith(".json") or ".json?" in path:
        # feedparser 6 does not read JSON Feed: check it as JSON Feed 1.1 instead.
        import json
        doc = json.loads(body)
        entries = [{"title": i.get("title"), "link": i.get("url"), "content": i.get("content_html", "")} for i in doc["items"]]
        if doc.get("version") != "https://jsonfeed.org/version/1.1":
            problems.append("not JSON Feed 1.1")
    else:
        parsed = feedparser.parse(body)
        if parsed.bozo:
            problems.append(f"bozo: {parsed.bozo_exception}")
        entries = [{"title": e.get("title"), "link": e.get("link"),
                    "content": (e.get("content") or [{}])[0].get("value") or e.get("summary", "")} for e in parsed.entries]
    if not entries:
        problems.append("no entries")
    for e in entries:
        # Titles and bodies may be empty when the source's were; links may not.
        if not e["link"]:
            problems.append(f"entry without a link {e['title']!r}")
        if danger.search(e["content"] or ""):
            problems.append(f"executable content in {e['title']!r}: {danger.search(e['content']).group(0)}")
        if (e["link"] or "").lower().startswith("javascript:"):
            problems.append("javascript: link")
    if problems:
        failed += 1
        print(f"FAIL {path}: {problems[:3]}")
    else:
        passed += 1
        print(f"ok   {path} ({len(entries)} entries)")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
