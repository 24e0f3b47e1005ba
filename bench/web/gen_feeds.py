"""Generates FEEDS RSS files of ITEMS items each (Chinese and English full-text
articles spread over a year) and prints the [[feeds]] tables that subscribe to them.
Usage: python3 gen_feeds.py DIR FEEDS ITEMS"""
import os
import random
import sys
from datetime import datetime, timedelta, timezone

out, feeds, items = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(out, exist_ok=True)
rng = random.Random(20261201)
ZH = "俄罗斯 中国 合作 经济 政府 新闻 报道 记者 市场 科技 发展 国际 会议 总统 外交 安全 社会 文化 教育 环境 能源 贸易 疫情 选举 法院".split()
EN = "russia china cooperation economy government news report market technology development international meeting president security".split()
start = datetime(2025, 12, 1, tzinfo=timezone.utc)
for f in range(feeds):
    chinese = f % 4 != 3
    lines = [f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>bench feed {f}</title><link>https://bench{f}.example.org/</link>']
    for i in range(items):
        words = ZH if chinese else EN
        sep = "" if chinese else " "
        title = sep.join(rng.choice(words) for _ in range(6))
        paragraphs = "".join("<p>" + sep.join(rng.choice(words) for _ in range(60)) + "。</p>" for _ in range(8))
        when = start + timedelta(seconds=rng.randrange(365 * 86400))
        lines.append(
            f"<item><guid isPermaLink=\"false\">b{f}-{i}</guid><title>{title} {i}</title>"
            f"<link>https://bench{f}.example.org/a/{i}</link><pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
            f"<content:encoded><![CDATA[{paragraphs}<p><img src=\"https://img.example.org/{i}.jpg\"></p>]]></content:encoded></item>"
        )
    lines.append("</channel></rss>\n")
    path = os.path.join(out, f"bench{f}.xml")
    with open(path, "w") as fh:
        fh.write("\n".join(lines))
    print(f'\n[[feeds]]\nname = "bench{f}"\nurl = "{os.path.abspath(path)}"')
