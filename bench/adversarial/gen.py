#!/usr/bin/env python3
"""Adversarial feeds for the linear-time benchmark (issue 8, item 2).

Writes one RSS 2.0 feed per size, each with a single item made of runs of `&`, `<`,
`<script>` (and `<!--`, `<a `, long attribute lists): what made entity decoding, tag
stripping and HTML-to-text quadratic. The title carries the runs entity-escaped (so
title plain-texting sees them after XML decoding), the description carries them raw
in CDATA (HTML-to-text for the index, body_line for the article file), and a
dc:subject carries bare `&` runs (the XML reader's entity handling).

    python3 bench/adversarial/gen.py [OUT_DIR]        # adversarial-8m.xml, adversarial-32m.xml

The 32 MiB file stays just under feedvault's default 32 MiB document limit.
Time it with `feedvault-bench adversarial FILE` (parse + title + index text + body
line) or end to end with `feedvault fetch` on a vault subscribed to the file.
"""

import os
import sys

MIB = 1024 * 1024
# Runs that end the text they start (an unclosed tag, comment or script) come last.
RUNS = ["&", "<", "&amp", "</", "<img alt=x " + "a=1 " * 64 + ">", "<a ", "<!--", "<script>"]


def runs(total: int) -> str:
    """About `total` characters of runs, each run 1/len(RUNS) of the total."""
    per_run = total // len(RUNS)
    return "".join((r * (per_run // len(r) + 1))[:per_run] for r in RUNS)


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def feed(size: int) -> bytes:
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        "<title>adversarial</title><link>http://127.0.0.1/</link>"
        "<item><guid>adversarial-1</guid><link>http://127.0.0.1/1</link>"
        "<pubDate>Tue, 01 Dec 2026 00:00:00 GMT</pubDate>"
    )
    tail = "</item></channel></rss>\n"
    budget = size - len(head) - len(tail) - 1024
    # Escaping multiplies the title's runs by about 4: give it 1/16 of the budget.
    title = xml_escape(runs(budget // 16))
    subject = "&" * (budget // 16)
    # CDATA cannot hold "]]>"; the runs never contain it.
    description = runs(budget - len(title) - len(subject) - 200)
    body = (
        f"<title>{title}</title>"
        f"<dc:subject>{subject}</dc:subject>"
        f"<description><![CDATA[{description}]]></description>"
    )
    data = (head + body + tail).encode("utf-8")
    assert len(data) <= size, (len(data), size)
    return data


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    for mib in (8, 32):
        path = os.path.join(out, f"adversarial-{mib}m.xml")
        data = feed(mib * MIB)
        with open(path, "wb") as f:
            f.write(data)
        print(f"{path}: {len(data)} bytes")


if __name__ == "__main__":
    main()
