#!/usr/bin/env node
// An emulation of the original archive's per-run work, for the engine benchmark:
// every feed file parsed with rss-parser, every item written as an article file
// in the original format with one fs.writeFileSync (no fsync), ids counting down.
//
// Usage: node original_archiver.js OUT_DIR FEED.xml...
// Prints one JSON line: {"archiver": "emulation", "articles", "seconds", "articles_per_s"}.
'use strict';
const fs = require('fs');
const path = require('path');
const Parser = require('rss-parser');

async function main() {
  const [out, ...feeds] = process.argv.slice(2);
  if (!out || feeds.length === 0) {
    console.error('usage: node original_archiver.js OUT_DIR FEED.xml...');
    process.exit(2);
  }
  const parser = new Parser();
  const start = process.hrtime.bigint();
  let articles = 0;
  for (const file of feeds) {
    const feed = await parser.parseString(fs.readFileSync(file, 'utf8'));
    const dir = path.join(out, 'articles', path.basename(file, '.xml'));
    fs.mkdirSync(dir, { recursive: true });
    let id = 1048575;
    for (const item of feed.items) {
      const body = (item['content:encoded'] || item.content || '').replace(/\n/g, '');
      const text = `<!--${Date.parse(item.pubDate)}-->\n[${(item.title || '').trim()}](${item.link})\n------\n\n${body}\n`;
      fs.writeFileSync(path.join(dir, `${id}.md`), text);
      id -= 1;
      articles += 1;
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({ archiver: 'emulation', articles, seconds, articles_per_s: articles / seconds }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
