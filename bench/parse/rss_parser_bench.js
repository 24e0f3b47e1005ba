#!/usr/bin/env node
// Parse-throughput baseline: Node's rss-parser on one feed file.
//
// Usage: node rss_parser_bench.js FILE [--seconds S]
//
// Each iteration decodes the raw bytes of FILE with TextDecoder (charset from
// the XML declaration, e.g. gbk; the decode is timed) and runs
// parser.parseString on the string, for at least S seconds (default 5) and at
// least 2 iterations. Checks the item count against the number of <item>
// elements and prints one JSON line in the same shape as feedparser_bench.py,
// plus "decode". Exits non-zero if the item count is wrong.
'use strict';
const fs = require('fs');
const Parser = require('rss-parser');
const { version } = require('rss-parser/package.json');

const args = process.argv.slice(2);
const si = args.indexOf('--seconds');
const seconds = si >= 0 ? Number(args.splice(si, 2)[1]) : 5;
const file = args[0];
if (!file || args.length !== 1 || !(seconds >= 0)) {
  console.error('usage: node rss_parser_bench.js FILE [--seconds S]');
  process.exit(2);
}

const data = fs.readFileSync(file);
const head = data.subarray(0, 200).toString('latin1');
const charset = (/encoding=["']([\w-]+)["']/.exec(head) || [, 'utf-8'])[1].toLowerCase();
const decoder = new TextDecoder(charset, { fatal: true });
// Count <item> start tags on the raw bytes (GBK trail bytes never look like '<').
const expected = (data.toString('latin1').match(/<item[\s>]/g) || []).length;

async function main() {
  const parser = new Parser();
  let iterations = 0;
  let feed;
  let elapsed;
  const start = process.hrtime.bigint();
  for (;;) {
    feed = await parser.parseString(decoder.decode(data));
    iterations += 1;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (elapsed >= seconds && iterations >= 2) break;
  }
  const items = feed.items.length;
  if (items !== expected) {
    console.error(`FAIL: rss-parser found ${items} items, file has ${expected} <item> elements`);
    process.exit(1);
  }
  console.log(JSON.stringify({
    parser: `rss-parser ${version}`,
    file,
    bytes: data.length,
    iterations,
    seconds: Math.round(elapsed * 1000) / 1000,
    mb_per_s: Math.round((data.length * iterations) / 1e6 / elapsed * 1000) / 1000,
    items,
    decode: `TextDecoder(${decoder.encoding})`,
  }));
}

main().catch((e) => { console.error(e); process.exit(1); });
