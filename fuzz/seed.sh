#!/usr/bin/env bash
# Copies seed inputs for every fuzz target from the shared fixtures into
# fuzz/corpus-extra/<target>/ (not committed; fuzz/run.sh uses it when present).
#
#   fuzz/seed.sh [FIXTURES]     default: ../shared/fixtures beside the repository
#
# feed_parse and article_file inputs start with a mode byte (see the targets): 0 for
# "no charset label" / "a file", 1 for "a feed document". Dates are the pubDate,
# updated, published and dc:date values found in the fixtures.
set -euo pipefail
cd "$(dirname "$0")"
fixtures="${1:-../../shared/fixtures}"
if [ ! -d "$fixtures" ]; then
    echo "seed.sh: no fixtures at $fixtures; only the committed corpus will be used" >&2
    exit 0
fi
out=corpus-extra
rm -rf "$out"
mkdir -p "$out"/{feed_parse,dates,article_file,search_query}

n=0
while IFS= read -r -d '' file; do
    n=$((n + 1))
    { printf '\0'; cat "$file"; } > "$out/feed_parse/f$n"
    # Feeds under 64 KiB also seed the item path of article_file.
    if [ "$(wc -c < "$file")" -lt 65536 ]; then
        { printf '\1'; cat "$file"; } > "$out/article_file/f$n"
    fi
done < <(find "$fixtures/real-feeds" "$fixtures/legacy-encodings" "$fixtures/feedparser/tests" \
    -type f \( -name '*.xml' -o -name '*.json' -o -name '*.rss' -o -name '*.atom' -o -name '*.rdf' -o -name '*.txt' -o -name '*.html' \) -print0 | sort -z)

if [ -f "$fixtures/seed-article.md" ]; then
    { printf '\0'; cat "$fixtures/seed-article.md"; } > "$out/article_file/seed-article"
fi

# Date values between tags, one file each (at most 2000 distinct ones).
grep -rhoaE '<(pubDate|updated|published|dc:date|modified|issued|created|lastBuildDate)>[^<]{1,80}</' \
    "$fixtures/real-feeds" "$fixtures/legacy-encodings" "$fixtures/feedparser/tests" 2>/dev/null \
    | sed -E 's/^<[^>]*>//; s/<\/$//' | sort -u | head -n 2000 \
    | { i=0; while IFS= read -r date; do i=$((i + 1)); printf '%s' "$date" > "$out/dates/d$i"; done; }

echo "seed.sh: $(find "$out" -type f | wc -l) seed files in fuzz/$out" >&2
