#!/usr/bin/env python3
"""Generate the parse-benchmark corpus: a ~5 MB full-text Chinese RSS 2.0 feed.

Usage: gen_feed.py OUT_DIR

Writes OUT_DIR/zh-500.xml (UTF-8) and OUT_DIR/zh-500-gbk.xml (the same document
encoded in GBK). 500 items, each with a ~10 KB HTML body in content:encoded
(CDATA) shaped like a feedx.net full-text news article. Every 10th item carries
an entity-escaped description (&lt;p&gt;...) instead of CDATA. Output is fully
deterministic (fixed seed, built-in word lists, no network).
"""
import random
import sys
from pathlib import Path

SEED = 20260101
N_ITEMS = 500
BODY_BYTES = (8200, 10200)  # UTF-8 size range of each content:encoded body

# Common words and phrases (all GBK-encodable; checked at start-up).
WORDS = """
我们 他们 今天 昨天 明天 目前 近日 此前 随后 同时 但是 因此 然而 此外 另外 其中 记者 专家 官员 学者
政府 国家 社会 经济 市场 企业 公司 行业 产业 投资 消费 贸易 出口 进口 金融 银行 货币 资本 股市 债券
价格 通胀 利率 汇率 增长 下降 上涨 回落 稳定 波动 发展 改革 开放 合作 交流 对话 谈判 协议 条约 会议
峰会 论坛 代表 部长 总统 总理 外交 国际 全球 地区 城市 农村 人口 就业 收入 教育 医疗 卫生 环境 气候
能源 电力 石油 天然气 煤炭 新能源 光伏 风电 电池 汽车 交通 铁路 航空 港口 物流 科技 技术 创新 研究 数据
网络 平台 人工智能 芯片 半导体 软件 互联网 数字 安全 风险 挑战 机遇 压力 问题 措施 政策 计划 方案 目标
任务 项目 工程 建设 基础设施 资金 预算 财政 税收 债务 赤字 报告 调查 统计 数字化 指出 表示 认为 强调 称
透露 宣布 发布 公布 介绍 回应 批评 支持 反对 呼吁 要求 希望 预计 估计 显示 说明 提出 推动 促进 加强
加快 扩大 减少 提高 降低 保持 实现 完成 面临 应对 解决 处理 参与 举行 召开 访问 会见 签署 达成 启动
重要 主要 关键 明显 积极 持续 严重 复杂 全面 深入 广泛 有效 充分 长期 短期 进一步 大幅 小幅 显著 逐步
首次 再次 已经 正在 将会 可能 仍然 继续 不断 尤其 特别 非常 相关 有关 各方 双方 多方 民众 居民 消费者
工人 学生 教师 医生 患者 农民 游客 选民 议员 法院 警方 军队 媒体 社交媒体 新闻 消息 声明 文件 法律
法规 制度 体系 机制 框架 标准 规则 秩序 和平 稳定性 冲突 危机 灾害 地震 洪水 干旱 台风 疫情 疫苗 病毒
北京 上海 广州 深圳 香港 台北 东京 首尔 新加坡 伦敦 巴黎 柏林 华盛顿 纽约 莫斯科 布鲁塞尔 日内瓦 悉尼
美国 中国 日本 韩国 英国 法国 德国 俄罗斯 印度 巴西 欧盟 联合国 东盟 世界银行 国际货币基金组织
第一季度 第二季度 上半年 下半年 今年 去年 明年 本周 上周 本月 未来 过去 历史 传统 文化 艺术 体育 比赛
奥运会 世界杯 电影 音乐 旅游 餐饮 零售 房地产 住房 租金 房价 土地 农业 粮食 食品 水资源 森林 海洋
""".split()

# Short phrases used to give sentences some rhythm.
PHRASES = """
据了解 与此同时 值得注意的是 分析人士认为 业内人士表示 有消息称 总体来看 从长远看 在这一背景下
截至目前 据统计 据报道 相关负责人介绍 数据显示 调查结果表明 多位专家指出 一位不愿具名的官员说
换句话说 事实上 不过 尽管如此 与此相比 在此之前 此后不久 在接受采访时 在新闻发布会上
""".split()

ENGLISH = ["AI", "GDP", "CPI", "WTO", "G20", "APEC", "iPhone", "Tesla", "OpenAI", "ChatGPT", "NASA",
           "ESG", "5G", "ETF", "IPO", "COP30", "NBA", "Netflix", "Microsoft", "Google", "Reuters",
           "BBC", "Bloomberg", "Nvidia", "Boeing", "Airbus", "VR", "EV", "CEO", "PMI"]
SLUG_WORDS = ["economy", "trade", "climate", "energy", "tech", "summit", "market", "election",
              "health", "policy", "talks", "report", "china", "asia", "europe", "finance"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁沈任姚卢")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰文辉鹏飞琳晨宇欣婷浩然")
PLACES = "北京 上海 广州 深圳 香港 台北 东京 首尔 新加坡 伦敦 巴黎 柏林 华盛顿 纽约 莫斯科 日内瓦".split()
SOURCES = ["新华社", "中新社", "本报", "央视新闻", "财经网", "环球时报", "联合早报", "澎湃新闻"]
END_PUNCT = ["。"] * 8 + ["！", "？", "；"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

rng = random.Random(SEED)


def name():
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def clause():
    parts = [rng.choice(WORDS) for _ in range(rng.randint(3, 7))]
    r = rng.random()
    if r < 0.08:
        parts.insert(rng.randrange(len(parts)), rng.choice(ENGLISH))
    elif r < 0.16:
        n = rng.choice([f"{rng.randint(2, 98)}%", f"{rng.randint(1, 999)}亿元",
                        f"{rng.randint(1990, 2026)}年", f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
                        f"{rng.randint(1, 9)}.{rng.randint(0, 9)}%", f"{rng.randint(10, 9999)}万人"])
        parts.insert(rng.randrange(len(parts)), n)
    elif r < 0.21:
        parts.append("“" + "".join(rng.choice(WORDS) for _ in range(2)) + "”")
    elif r < 0.24:
        parts.append("《" + "".join(rng.choice(WORDS) for _ in range(2)) + "》")
    elif r < 0.26:
        parts.append("（" + rng.choice(ENGLISH) + "）")
    return "".join(parts)


def sentence():
    s = "，".join(clause() for _ in range(rng.randint(2, 4)))
    if rng.random() < 0.3:
        s = rng.choice(PHRASES) + "，" + s
    if rng.random() < 0.1:
        s = name() + "说：“" + s + "。”"
        return s
    return s + rng.choice(END_PUNCT)


def paragraph():
    return "".join(sentence() for _ in range(rng.randint(2, 5)))


def title():
    return "".join(rng.choice(WORDS) for _ in range(rng.randint(4, 7)))


def item(i, ts):
    """ts = (year, month, day, hour, minute, second, weekday) in Beijing time."""
    y, mo, d, h, mi, s, wd = ts
    slug = f"{rng.choice(SLUG_WORDS)}-{rng.choice(SLUG_WORDS)}-{i}"
    link = f"https://cn.example.org/world/{y}{mo:02d}{d:02d}/{slug}/"
    # Same instant in three spellings; CST here means China Standard Time (which
    # RFC 822 readers may take as US Central - a realistic ambiguity).
    zone = ("+0800", "GMT", "CST")[i % 3]
    hh = h - 8 if zone == "GMT" else h  # keep hour >= 8 so GMT stays on the same day
    pub = f"{DAYS[wd]}, {d:02d} {MONTHS[mo - 1]} {y} {hh:02d}:{mi:02d}:{s:02d} {zone}"
    ttl, author = title(), name()
    img = f"https://img.cn.example.org/{y}/{mo:02d}{d:02d}/{i:04d}.jpg"
    target = rng.randint(*BODY_BYTES)
    body = [f"<address>{rng.choice(SOURCES)}{rng.choice(PLACES)}{mo}月{d}日电（记者 {author}）</address>",
            f'<time pudate="{y}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}">{y}年{mo}月{d}日 {h:02d}:{mi:02d}</time>',
            f'<figure><img src="{img}"><figcaption>{clause()}。（{rng.choice(SOURCES)}图）</figcaption></figure>',
            "<section>"]
    size = sum(len(b.encode()) for b in body)
    while size < target:
        p = f"<p>{paragraph()}</p>"
        body.append(p)
        size += len(p.encode())
    body.append("</section>")
    body.append(f"<footer>责任编辑：{name()}　原文链接：{link}</footer>")
    summary = f"<p>{sentence()}</p>"
    if i % 10 == 0:  # entity-escaped HTML instead of CDATA
        summary = summary.replace("<", "&lt;").replace(">", "&gt;")
        desc = f"<description>{summary}</description>"
    else:
        desc = f"<description><![CDATA[{summary}]]></description>"
    return (f"<item>\n<title>{ttl}</title>\n<link>{link}</link>\n"
            f'<guid isPermaLink="true">{link}</guid>\n<pubDate>{pub}</pubDate>\n'
            f"<dc:creator>{author}</dc:creator>\n{desc}\n"
            f"<content:encoded><![CDATA[{''.join(body)}]]></content:encoded>\n</item>\n")


def timestamps():
    """500 timestamps, newest first, walking back from 2026-06-30 by ~8 hours."""
    import datetime as dt
    t = dt.datetime(2026, 6, 30, 22, 0, 0)
    out = []
    for _ in range(N_ITEMS):
        t -= dt.timedelta(minutes=rng.randint(60, 900))
        t2 = t.replace(hour=max(t.hour, 8))
        out.append((t2.year, t2.month, t2.day, t2.hour, t2.minute, t2.second, t2.weekday()))
    return out


def document(encoding, items):
    head = (f'<?xml version="1.0" encoding="{encoding}"?>\n'
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
            "<title>示例新闻网 - 国际</title>\n<link>https://cn.example.org/world/</link>\n"
            "<description>示例新闻网国际频道全文订阅（基准测试用合成数据）</description>\n"
            "<language>zh-CN</language>\n<lastBuildDate>Tue, 30 Jun 2026 22:00:00 +0800</lastBuildDate>\n"
            "<generator>feedvault bench/parse/gen_feed.py</generator>\n")
    return head + items + "</channel>\n</rss>\n"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for w in WORDS + PHRASES + SURNAMES + GIVEN + SOURCES + PLACES:
        w.encode("gbk")  # raises if a word is not GBK-encodable
    items = "".join(item(i + 1, ts) for i, ts in enumerate(timestamps()))
    utf8 = document("UTF-8", items).encode("utf-8")
    gbk = document("GBK", items).encode("gbk")  # strict: fails on any non-GBK character
    (out / "zh-500.xml").write_bytes(utf8)
    (out / "zh-500-gbk.xml").write_bytes(gbk)
    print(f"{out / 'zh-500.xml'}: {len(utf8)} bytes; {out / 'zh-500-gbk.xml'}: {len(gbk)} bytes")


if __name__ == "__main__":
    main()
