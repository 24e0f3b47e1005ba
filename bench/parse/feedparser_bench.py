#!/usr/bin/env python3
"""Parse-throughput baseline: Python feedparser on one feed file.

Usage: feedparser_bench.py FILE [--seconds S]

Parses the raw bytes of FILE (as they would arrive from the network) again and
again for at least S seconds (default 5) and at least 2 iterations, checks the
entry count against the number of <item> elements, and prints one JSON line:
{"parser", "file", "bytes", "iterations", "seconds", "mb_per_s", "items"}
(MB = 1e6 bytes). Exits non-zero if the entry count is wrong.
"""
import argparse
import json
import re
import sys
import time

import feedparser

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("file")
ap.add_argument("--seconds", type=float, default=5.0)
args = ap.parse_args()

data = open(args.file, "rb").read()
# Count <item> start tags on the raw bytes: works for UTF-8 and GBK alike
# (GBK trail bytes are >= 0x40, so they never look like '<').
expected = len(re.findall(rb"<item[\s>]", data))

iterations, start = 0, time.perf_counter()
while True:
    result = feedparser.parse(data)
    iterations += 1
    elapsed = time.perf_counter() - start
    if elapsed >= args.seconds and iterations >= 2:
        break

items = len(result.entries)
if items != expected:
    sys.exit(f"FAIL: feedparser found {items} entries, file has {expected} <item> elements "
             f"(bozo={result.bozo}: {result.get('bozo_exception')!r})")
if result.bozo:  # parsed, but feedparser fell back or complained: worth knowing
    print(f"warning: bozo: {result.bozo_exception!r} (encoding {result.encoding})", file=sys.stderr)

print(json.dumps({
    "parser": f"feedparser {feedparser.__version__}",
    "file": args.file,
    "bytes": len(data),
    "iterations": iterations,
    "seconds": round(elapsed, 3),
    "mb_per_s": round(len(data) * iterations / 1e6 / elapsed, 3),
    "items": items,
}, ensure_ascii=False))
