#!/usr/bin/env bash
# The main job on the bundled example feeds: build feedvault, create demo-vault/
# (first run only), subscribe to examples/feeds.opml, fetch everything, and show
# how many articles went where, search it, and check it. Run it again to see that
# nothing is written twice.
set -euo pipefail
cd "$(dirname "$0")"

cargo build --release --quiet -p feedvault
feedvault() { "${CARGO_TARGET_DIR:-target}/release/feedvault" --vault demo-vault "$@"; }

if [ ! -f demo-vault/feedvault.toml ]; then
  feedvault init
  feedvault import-opml examples/feeds.opml
fi
echo
feedvault fetch
echo
feedvault list
echo
echo "Article files per folder:"
find demo-vault/archive -name '*.md' -not -name README.md -not -path '*.revisions/*' | sed 's|/[^/]*$||' | sort | uniq -c
echo
echo "Searching the archive for 習近平 (traditional characters; finds simplified text too):"
feedvault search 習近平 --limit 3
echo
feedvault verify
