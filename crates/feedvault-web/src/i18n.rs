//! Interface strings in English and Simplified Chinese, and choosing between them:
//! `?lang=` (which also sets a cookie), else the `lang` cookie, else the first
//! language of `Accept-Language` (by weight) that the interface speaks.

/// An interface language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-Hans",
        }
    }

    /// The value of `?lang=` that chooses this language.
    pub fn param(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }

    /// The other language (what the switch offers).
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        }
    }

    /// The language a request wants: URL parameter, cookie, Accept-Language, English.
    pub fn negotiate(param: Option<&str>, cookie: Option<&str>, accept: Option<&str>) -> Lang {
        param
            .and_then(Lang::parse)
            .or_else(|| cookie.and_then(Lang::parse))
            .or_else(|| accept.and_then(from_accept))
            .unwrap_or(Lang::En)
    }
}

/// The best language of an `Accept-Language` header that the interface has.
fn from_accept(header: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for part in header.split(',').take(32) {
        let mut fields = part.split(';');
        let tag = fields.next().unwrap_or("");
        let weight = fields
            .find_map(|f| f.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .filter(|q| q.is_finite())
            .unwrap_or(1.0);
        if let Some(lang) = Lang::parse(tag)
            && weight > 0.0
            && best.is_none_or(|(w, _)| weight > w)
        {
            best = Some((weight, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

/// Every string the interface shows.
#[derive(Debug)]
pub struct Strings {
    pub site: &'static str,
    pub home: &'static str,
    pub feeds: &'static str,
    pub changes: &'static str,
    pub search: &'static str,
    pub search_label: &'static str,
    pub latest: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub page: &'static str,
    pub no_articles: &'static str,
    pub no_feeds: &'static str,
    pub not_found: &'static str,
    pub feed: &'static str,
    pub title: &'static str,
    pub articles: &'static str,
    pub last_check: &'static str,
    pub next_check: &'static str,
    pub last_error: &'static str,
    pub gone: &'static str,
    pub gaps: &'static str,
    pub never: &'static str,
    pub now: &'static str,
    pub none: &'static str,
    pub source: &'static str,
    pub published: &'static str,
    pub archived: &'static str,
    pub version_seen: &'static str,
    pub revisions: &'static str,
    pub revision: &'static str,
    pub current: &'static str,
    pub no_revisions: &'static str,
    pub diff: &'static str,
    pub compare: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub missing_version: &'static str,
    pub image: &'static str,
    pub results: &'static str,
    pub more_than: &'static str,
    pub no_results: &'static str,
    pub since: &'static str,
    pub until: &'static str,
    pub all_feeds: &'static str,
    pub sort_relevance: &'static str,
    pub sort_date: &'static str,
    pub no_changes: &'static str,
    pub replaced: &'static str,
    pub day: &'static str,
    pub days: &'static str,
    pub add_feed: &'static str,
    pub feed_url: &'static str,
    pub feed_name: &'static str,
    pub remove_feed: &'static str,
    pub fetch_now: &'static str,
    pub token: &'static str,
    pub writes_disabled: &'static str,
    pub fetch_requested: &'static str,
    pub publish_now: &'static str,
    pub request: &'static str,
    pub request_queued: &'static str,
    pub request_done: &'static str,
    pub request_failed: &'static str,
    pub switch_to: &'static str,
    pub subscribe: &'static str,
    pub removed: &'static str,
    pub removed_intro: &'static str,
    pub no_removed: &'static str,
    pub removed_at: &'static str,
    pub vanished_at: &'static str,
    pub evidence: &'static str,
    pub seen_on_page: &'static str,
}

pub static EN: Strings = Strings {
    site: "feedvault",
    home: "Home",
    feeds: "Feeds",
    changes: "Changes",
    search: "Search",
    search_label: "Search the archive",
    latest: "Latest articles",
    previous: "Previous",
    next: "Next",
    page: "Page",
    no_articles: "No articles.",
    no_feeds: "No feed is subscribed yet.",
    not_found: "There is nothing at this address.",
    feed: "Feed",
    title: "Title",
    articles: "Articles",
    last_check: "Last check",
    next_check: "Next check",
    last_error: "Last error",
    gone: "Gone since",
    gaps: "Gaps (items missed)",
    never: "never",
    now: "now",
    none: "none",
    source: "Source",
    published: "Published",
    archived: "Archived",
    version_seen: "This version seen",
    revisions: "Revisions",
    revision: "Revision",
    current: "current",
    no_revisions: "This article was never edited.",
    diff: "Differences",
    compare: "Compare",
    from: "From",
    to: "To",
    missing_version: "This version's file is missing or unreadable.",
    image: "image",
    results: "results",
    more_than: "more than",
    no_results: "Nothing matches.",
    since: "Since",
    until: "Until",
    all_feeds: "All feeds",
    sort_relevance: "Relevance",
    sort_date: "Newest first",
    no_changes: "No article has been revised yet.",
    replaced: "replaced",
    day: "Day",
    days: "Days",
    add_feed: "Add a feed",
    feed_url: "Feed address (http or https)",
    feed_name: "Name (optional)",
    remove_feed: "Unsubscribe (the articles stay)",
    fetch_now: "Fetch now",
    token: "Token",
    writes_disabled: "Changes are disabled: this server is reachable from other machines and has no token (FEEDVAULT_TOKEN).",
    fetch_requested: "Fetch requested.",
    publish_now: "Publish now",
    request: "Your request",
    request_queued: "Queued: the process that writes this vault carries it out shortly.",
    request_done: "Done.",
    request_failed: "Failed.",
    switch_to: "中文",
    subscribe: "Feed of this page",
    removed: "Removed",
    removed_intro: "Articles whose page answered \u{201c}gone\u{201d} repeatedly over at least two weeks, and articles taken out of their feed while older ones stayed, with the evidence of each check.",
    no_removed: "No article has been removed or taken out of its feed so far.",
    removed_at: "Removed",
    vanished_at: "Vanished from the feed",
    evidence: "Evidence",
    seen_on_page: "a new version, seen on the article's page (not in the feed)",
};

pub static ZH: Strings = Strings {
    site: "feedvault",
    home: "首页",
    feeds: "订阅源",
    changes: "修改记录",
    search: "搜索",
    search_label: "搜索存档",
    latest: "最新文章",
    previous: "上一页",
    next: "下一页",
    page: "分页",
    no_articles: "没有文章。",
    no_feeds: "还没有订阅任何订阅源。",
    not_found: "此地址没有内容。",
    feed: "订阅源",
    title: "标题",
    articles: "文章数",
    last_check: "上次检查",
    next_check: "下次检查",
    last_error: "最近错误",
    gone: "失效于",
    gaps: "缺口（漏掉的条目）",
    never: "从未",
    now: "现在",
    none: "无",
    source: "原文",
    published: "发布时间",
    archived: "存档时间",
    version_seen: "此版本首见于",
    revisions: "修订版本",
    revision: "修订版本",
    current: "当前版本",
    no_revisions: "这篇文章从未被修改。",
    diff: "差异",
    compare: "比较",
    from: "从",
    to: "到",
    missing_version: "此版本的文件缺失或无法读取。",
    image: "图片",
    results: "条结果",
    more_than: "超过",
    no_results: "没有匹配的结果。",
    since: "起始日期",
    until: "截止日期",
    all_feeds: "全部订阅源",
    sort_relevance: "相关度",
    sort_date: "最新优先",
    no_changes: "还没有文章被修改过。",
    replaced: "被替换",
    day: "日期",
    days: "日期",
    add_feed: "添加订阅源",
    feed_url: "订阅地址（http 或 https）",
    feed_name: "名称（可选）",
    remove_feed: "取消订阅（文章保留）",
    fetch_now: "立即抓取",
    token: "令牌",
    writes_disabled: "修改已停用：此服务器可从其他机器访问，但没有设置令牌（FEEDVAULT_TOKEN）。",
    fetch_requested: "已请求抓取。",
    publish_now: "立即发布",
    request: "你的请求",
    request_queued: "已排队：写入此存档的进程很快会执行它。",
    request_done: "已完成。",
    request_failed: "失败。",
    switch_to: "English",
    subscribe: "本页的订阅",
    removed: "已删除",
    removed_intro: "原网页在至少两周内多次回应“已不存在”的文章，以及在较早的文章仍在时被撤出订阅源的文章，附每次检查的证据。",
    no_removed: "目前还没有文章被删除或被撤出订阅源。",
    removed_at: "删除于",
    vanished_at: "撤出订阅源于",
    evidence: "证据",
    seen_on_page: "新版本，在文章原网页上发现（而非订阅源中）",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_order() {
        let cases = [
            (Some("zh"), Some("en"), Some("en"), Lang::Zh),
            (Some("xx"), Some("zh"), Some("en"), Lang::Zh),
            (None, None, Some("fr;q=1, zh-CN;q=0.8, en;q=0.5"), Lang::Zh),
            (None, None, Some("en-US,en;q=0.9,zh;q=0.1"), Lang::En),
            (None, None, Some("zh;q=0, en;q=0.2"), Lang::En),
            (None, None, Some(";;;q=abc,,"), Lang::En),
            (None, None, None, Lang::En),
        ];
        for (param, cookie, accept, want) in cases {
            assert_eq!(Lang::negotiate(param, cookie, accept), want, "{param:?} {cookie:?} {accept:?}");
        }
    }
}
