#!/usr/bin/env bash
# Browser test in headless Chromium (Debian's chromium and chromium-driver, and
# fonts-noto-cjk, installed here with apt when missing): open the home page, search a
# two-character Chinese word, open the first result, check its title, that the
# console shows no error and no CSP violation, basic accessibility (headings in
# order, labelled inputs, lang attributes), no horizontal scrolling at 360 px, and
# keep screenshots (desktop and 360 px) under target/web-browser/.
# Run from anywhere: bash bench/web/browser.sh
# Env: CARGO_TARGET_DIR (default target), WEB_PORT (default 18090),
#      DRIVER_PORT (default 9515).
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=${WEB_PORT:-18090}
DRIVER_PORT=${DRIVER_PORT:-9515}
TARGET=${CARGO_TARGET_DIR:-target}
SHOTS=target/web-browser

# Chromium and its driver, and CJK fonts so the screenshots show Chinese text.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! fc-list :lang=zh | grep -q .; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-noto-cjk >/dev/null
fi

cargo build --quiet -p feedvault
FV="$TARGET/debug/feedvault"
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

"$FV" --vault "$WORK/v" init >/dev/null
for f in examples/feeds/*; do "$FV" --vault "$WORK/v" add "$f" >/dev/null; done
"$FV" --vault "$WORK/v" fetch >/dev/null
"$FV" --vault "$WORK/v" serve --addr "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
PIDS+=($!)
chromedriver --port="$DRIVER_PORT" >"$WORK/driver.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  grep -q "serving the web UI" "$WORK/serve.log" 2>/dev/null && curl -s "http://127.0.0.1:$DRIVER_PORT/status" >/dev/null && break
  sleep 0.1
done
mkdir -p "$SHOTS"

python3 - "http://127.0.0.1:$PORT" "http://127.0.0.1:$DRIVER_PORT" "$SHOTS" <<'PY'
import base64, json, sys, time, urllib.request

site, driver, shots = sys.argv[1:4]
WORD = "合作"
passed, failed = 0, 0

def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(driver + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())["value"]

def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {what}")
    else:
        failed += 1
        print(f"FAIL {what} {detail}")

caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:loggingPrefs": {"browser": "ALL"},
        "goog:chromeOptions": {"binary": "/usr/bin/chromium",
                               "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"]}}}}
sid = call("POST", "/session", caps)["sessionId"]
S = f"/session/{sid}"

def js(script, *args):
    return call("POST", f"{S}/execute/sync", {"script": script, "args": list(args)})

def find(css):
    found = call("POST", f"{S}/element", {"using": "css selector", "value": css})
    return next(iter(found.values()))

def shot(name):
    with open(f"{shots}/{name}.png", "wb") as f:
        f.write(base64.b64decode(call("GET", f"{S}/screenshot")))

def wait_for(predicate, seconds=10):
    end = time.time() + seconds
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False

def accessibility(page):
    levels = js("return [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
    in_order = bool(levels) and levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:]))
    check(f"{page}: headings in order {levels}", in_order)
    unlabelled = js("return [...document.querySelectorAll('input:not([type=hidden]),select,textarea')]"
                    ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)")
    check(f"{page}: every input labelled", not unlabelled, unlabelled)
    check(f"{page}: <html lang>", bool(js("return document.documentElement.lang")))

try:
    call("POST", f"{S}/url", {"url": site + "/"})
    check("home page title", "feedvault" in call("GET", f"{S}/title"))
    accessibility("home")
    shot("home-desktop")
    box = find("#q")
    call("POST", f"{S}/element/{box}/value", {"text": WORD + "\ue007"})
    check("search page opened", wait_for(lambda: "/search" in call("GET", f"{S}/url")))
    check("the search shows a total", wait_for(lambda: "results" in js("return document.body.innerText")))
    accessibility("search")
    check("snippets highlight the word", WORD in js("return [...document.querySelectorAll('.snippet b')].map(b => b.textContent).join(' ')"))
    first = find("ol.articles li a")
    title = call("GET", f"{S}/element/{first}/text")
    call("POST", f"{S}/element/{first}/click", {})
    check("article page opened", wait_for(lambda: "/articles/" in call("GET", f"{S}/url")))
    h1 = js("return document.querySelector('h1').textContent")
    check(f"article title is the result's ({title})", h1 == title, repr(h1))
    lang = js("return document.querySelector('article').lang")
    check(f"article lang is the feed's zh-CN ({lang})", lang == "zh-CN", repr(lang))
    accessibility("article")
    shot("article-desktop")
    call("POST", f"{S}/window/rect", {"width": 360, "height": 780})
    time.sleep(0.3)
    width = js("return document.documentElement.clientWidth")
    scroll = js("return document.documentElement.scrollWidth")
    check(f"no horizontal scrolling at 360 px ({scroll} <= {width})", scroll <= width)
    shot("article-360")
    call("POST", f"{S}/url", {"url": site + "/"})
    shot("home-360")
    call("POST", f"{S}/url", {"url": site + "/feeds"})
    shot("feeds-360")
    logs = call("POST", f"{S}/se/log", {"type": "browser"})
    errors = [l["message"] for l in logs if l.get("level") == "SEVERE"]
    csp = [l["message"] for l in logs if "Content Security Policy" in l.get("message", "")]
    check("no console error", not errors, errors[:3])
    check("no CSP violation", not csp, csp[:3])
finally:
    call("DELETE", S)
print(f"screenshots: {shots}/")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
