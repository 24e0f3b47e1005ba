#!/usr/bin/env bash
# Web benchmark: a generated vault (FEEDS x ITEMS articles, 100,000 by default)
# served by the release `feedvault serve`: p50/p99 server time of the home, day,
# feed, article and search pages (latency.py), then requests per second of one
# article page under load with wrk, side by side with nginx serving a saved static
# copy of the same page. Needs wrk and nginx (Debian), installed here when missing.
# Run from anywhere as root: bash bench/web/run.sh
# Env: FEEDS (100), ITEMS (1000), REQUESTS (500 per page kind), SECONDS (10),
#      CONNECTIONS (32), WEB_PORT (18091), NGINX_PORT (18092), CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=bench/web
FEEDS=${FEEDS:-100}; ITEMS=${ITEMS:-1000}; REQUESTS=${REQUESTS:-500}
SECS=${SECONDS_UNDER_LOAD:-10}; CONNS=${CONNECTIONS:-32}
PORT=${WEB_PORT:-18091}; NPORT=${NGINX_PORT:-18092}
TARGET=${CARGO_TARGET_DIR:-target}
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk nginx-light >/dev/null
fi
cargo build --release --quiet -p feedvault
FV="$TARGET/release/feedvault"
DATA=target/web-bench
mkdir -p "$DATA"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

V="$DATA/vault-$FEEDS-$ITEMS"
if [ ! -f "$V/.complete" ]; then
  rm -rf "$V"
  "$FV" --vault "$V" init >/dev/null
  python3 "$B/gen_feeds.py" "$DATA/feeds-$FEEDS-$ITEMS" "$FEEDS" "$ITEMS" >>"$V/feedvault.toml"
  echo "archiving $((FEEDS * ITEMS)) articles ..." >&2
  /usr/bin/time -f "fetch: %e s, %M KiB peak" "$FV" --vault "$V" fetch >/dev/null
  touch "$V/.complete"
fi

"$FV" --vault "$V" serve --addr "127.0.0.1:$PORT" 2>"$DATA/serve.log" &
PIDS+=($!)
for _ in $(seq 100); do grep -q "serving the web UI" "$DATA/serve.log" 2>/dev/null && break; sleep 0.1; done

python3 "$B/latency.py" 127.0.0.1 "$PORT" "$REQUESTS"

# One article page, served by feedvault and (saved) by nginx.
ARTICLE=$(python3 -c "import json,urllib.request; print(json.load(urllib.request.urlopen('http://127.0.0.1:$PORT/api/articles?size=1&page=777'))['items'][0]['href'])")
STATIC="$DATA/static"
rm -rf "$STATIC" && mkdir -p "$STATIC/static"
curl -s "http://127.0.0.1:$PORT$ARTICLE" >"$STATIC/article.html"
curl -s "http://127.0.0.1:$PORT/static/style.css" >"$STATIC/static/style.css"
cat >"$DATA/nginx.conf" <<NGINX
worker_processes 2;
pid $PWD/$DATA/nginx.pid;
error_log $PWD/$DATA/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$NPORT;
    root $PWD/$STATIC;
    location / { default_type text/html; }
  }
}
NGINX
nginx -c "$PWD/$DATA/nginx.conf"
PIDS+=($(cat "$DATA/nginx.pid"))
sleep 0.3
rps() { wrk -t2 -c"$CONNS" -d"${SECS}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
FV_RPS=$(rps "http://127.0.0.1:$PORT$ARTICLE")
NGINX_RPS=$(rps "http://127.0.0.1:$NPORT/article.html")
echo
echo "| article page under load (wrk, 2 threads, $CONNS connections, ${SECS}s) | requests/s |"
echo "|---|---:|"
echo "| feedvault serve | $FV_RPS |"
echo "| nginx, static copy | $NGINX_RPS |"
python3 -c "print(f'| feedvault / nginx | {float(\"$FV_RPS\") / float(\"$NGINX_RPS\"):.0%} |')"
