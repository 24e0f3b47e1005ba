//! Relevance on Chinese and English articles: short Chinese words inside long
//! sentences, traditional/simplified folding both ways, phrases, exclusion, OR,
//! feed/title/date filters, ranking, paging, snippets, and revisions.

use feedvault_search::{Document, Filters, Page, SearchIndex, Sort};

fn doc(path: &str, feed: &str, title: &str, body: &str, day: u32) -> Document {
    Document {
        path: path.into(),
        feed: feed.into(),
        title: title.into(),
        link: format!("https://example.org/{path}"),
        published_ms: Some(
            chrono::NaiveDate::from_ymd_opt(2022, 9, day)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp_millis(),
        ),
        body_html: body.into(),
    }
}

fn corpus() -> Vec<Document> {
    vec![
        doc(
            "zh/1",
            "nyt-cn",
            "避谈分歧，中俄两国同意深化军事合作",
            "<p>俄罗斯联邦安全会议秘书尼古拉·帕特鲁舍夫和中国最高外交官杨洁篪在福建省举行了会议，双方同意进行更多联合军事演习。</p><p>在这次访问数天前，俄罗斯总统普京在乌兹别克斯坦会见了中国领导人习近平。</p>",
            20,
        ),
        doc(
            "zh/2",
            "bbc-zh",
            "北京冬季空气质量改善",
            "<p>北京市生态环境局表示，今年冬季的空气质量明显改善，京津冀地区的重污染天数减少。</p>",
            15,
        ),
        doc(
            "zh/3",
            "rfi-zh",
            "習近平與普京通話 雙方重申合作",
            "<p>據新華社報道，國家主席習近平應約同俄羅斯總統普京通電話，雙方表示將繼續深化軍事合作。</p>",
            10,
        ),
        doc("zh/4", "nyt-cn", "乌克兰粮食出口走廊", "<p>联合国大会讨论乌克兰粮食出口走廊，科普京学者也出席。</p>", 5),
        doc(
            "en/1",
            "tech",
            "Parsing feeds without copying",
            "<p>Our feed parser used to allocate a String for every element. Switching to borrowed slices halved the allocations.</p>",
            19,
        ),
        doc(
            "en/2",
            "tech",
            "Why fsync matters",
            "<p>A crash between write and rename can leave a partial file; fsync makes the data durable before the rename.</p><script>var hidden = 'parser';</script>",
            12,
        ),
        doc(
            "en/3",
            "notes",
            "Joint military exercises announced",
            "<p>Russia and China announced joint exercises. The joint statement stressed military cooperation.</p>",
            21,
        ),
    ]
}

fn index_of(docs: Vec<Document>) -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().unwrap();
    let mut index = SearchIndex::open(dir.path()).unwrap();
    index.upsert(docs).unwrap();
    index.commit().unwrap();
    (dir, index)
}

fn paths(index: &SearchIndex, query: &str) -> Vec<String> {
    let mut found: Vec<String> = index
        .search(query, &Filters::default(), Page { number: 1, size: 50 }, Sort::Relevance)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.path)
        .collect();
    found.sort();
    found
}

#[test]
fn one_and_two_character_chinese_words_inside_sentences() {
    let (_dir, index) = index_of(corpus());
    assert_eq!(
        paths(&index, "普京"),
        ["zh/1", "zh/3", "zh/4"],
        "two characters, including 科普京学 and traditional text"
    );
    assert_eq!(paths(&index, "京"), ["zh/1", "zh/2", "zh/3", "zh/4"], "one character anywhere in a run");
    assert_eq!(paths(&index, "冀"), ["zh/2"]);
    assert_eq!(paths(&index, "空气质量"), ["zh/2"]);
    assert!(paths(&index, "气空").is_empty(), "characters in the wrong order do not match");
}

#[test]
fn traditional_and_simplified_find_each_other() {
    let (_dir, index) = index_of(corpus());
    assert_eq!(paths(&index, "習近平 軍事合作"), ["zh/1", "zh/3"], "a traditional query finds simplified text");
    assert_eq!(paths(&index, "习近平 军事合作"), ["zh/1", "zh/3"], "a simplified query finds traditional text");
    assert_eq!(paths(&index, "ＧＤＰ OR fsync"), ["en/2"], "full-width query letters fold");
}

#[test]
fn phrases_exclusion_and_or() {
    let (_dir, index) = index_of(corpus());
    assert_eq!(paths(&index, "\"joint exercises\""), ["en/3"]);
    assert!(paths(&index, "\"exercises joint\"").is_empty());
    assert_eq!(paths(&index, "普京 -乌克兰"), ["zh/1", "zh/3"]);
    assert_eq!(paths(&index, "fsync OR copying"), ["en/1", "en/2"]);
    assert_eq!(paths(&index, "parsing"), ["en/1"], "stemming: parser/parsing, and script text is not indexed");
    assert_eq!(paths(&index, "durably"), ["en/2"], "stemming: durable/durably");
}

#[test]
fn feed_title_and_date_filters() {
    let (_dir, index) = index_of(corpus());
    assert_eq!(paths(&index, "普京 feed:nyt-cn"), ["zh/1", "zh/4"]);
    assert_eq!(paths(&index, "title:合作"), ["zh/1", "zh/3"]);
    assert_eq!(paths(&index, "普京 after:2022-09-10 before:2022-09-20"), ["zh/3"]);
    let filters = Filters { feed: Some("tech".into()), ..Filters::default() };
    let found = index.search("the", &filters, Page::default(), Sort::Relevance).unwrap();
    assert_eq!(found.total, 2, "the two tech articles, not the notes one");
    let since = Filters { since: Some("2022-09-19T00:00:00Z".parse().unwrap()), ..Filters::default() };
    let found = index.search("feed:tech feed:notes", &since, Page::default(), Sort::Relevance).unwrap();
    let mut found: Vec<String> = found.hits.into_iter().map(|h| h.path).collect();
    found.sort();
    assert_eq!(found, ["en/1", "en/3"], "either feed, published since the 19th");
    assert!(index.search("x after:someday", &Filters::default(), Page::default(), Sort::Relevance).is_err());
    assert!(index.search("   ", &Filters::default(), Page::default(), Sort::Relevance).is_err());
}

#[test]
fn title_matches_rank_first_and_date_sort_is_newest_first() {
    let (_dir, index) = index_of(corpus());
    let hits = index.search("合作", &Filters::default(), Page::default(), Sort::Relevance).unwrap().hits;
    assert!(hits[0].path == "zh/1" || hits[0].path == "zh/3", "a title match first: {:?}", hits[0].path);
    let by_date = index.search("普京", &Filters::default(), Page::default(), Sort::Date).unwrap().hits;
    let order: Vec<&str> = by_date.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(order, ["zh/1", "zh/3", "zh/4"]);
}

#[test]
fn paging_and_totals() {
    let (_dir, index) = index_of(corpus());
    let first = index.search("京", &Filters::default(), Page { number: 1, size: 3 }, Sort::Date).unwrap();
    let second = index.search("京", &Filters::default(), Page { number: 2, size: 3 }, Sort::Date).unwrap();
    assert_eq!((first.total, first.hits.len(), second.total, second.hits.len()), (4, 3, 4, 1));
    assert!(!first.hits.iter().any(|h| second.hits.iter().any(|s| s.path == h.path)));
}

#[test]
fn snippets_highlight_chinese_and_are_html_safe() {
    let mut docs = corpus();
    docs.push(doc("x/1", "x", "Escaping", "<p>the word fsync, then a &lt;script&gt; tag &amp; more</p>", 1));
    let (_dir, index) = index_of(docs);
    let hit = index.search("帕特鲁舍夫", &Filters::default(), Page::default(), Sort::Relevance).unwrap().hits.remove(0);
    assert!(hit.snippet.contains("<b>帕特鲁舍夫</b>") || hit.snippet.contains("<b>帕特</b>"), "{}", hit.snippet);
    let hit =
        index.search("fsync feed:x", &Filters::default(), Page::default(), Sort::Relevance).unwrap().hits.remove(0);
    assert!(hit.snippet.contains("&lt;script&gt;") && !hit.snippet.contains("<script>"), "{}", hit.snippet);
    assert!(hit.snippet.contains("<b>fsync</b>"), "{}", hit.snippet);
    assert_eq!(hit.published.as_deref(), Some("2022-09-01T12:00:00+00:00"));
}

#[test]
fn a_revision_is_found_by_its_new_text_only_and_once() {
    let (_dir, mut index) = index_of(corpus());
    index.upsert([doc("zh/2", "bbc-zh", "北京冬季空气质量恶化", "<p>今年冬季雾霾天数增加。</p>", 16)]).unwrap();
    index.commit().unwrap();
    assert_eq!(paths(&index, "雾霾"), ["zh/2"]);
    assert!(paths(&index, "重污染").is_empty(), "the old text is gone");
    assert_eq!(index.search("北京", &Filters::default(), Page::default(), Sort::Relevance).unwrap().total, 1);
    assert_eq!(index.num_docs(), corpus().len() as u64);
}

#[test]
fn a_rebuilt_index_gives_identical_results() {
    let (dir, index) = index_of(corpus());
    let queries = ["普京", "京", "joint", "习近平 军事合作", "fsync OR parser", "title:合作 -乌克兰"];
    let before: Vec<Vec<String>> = queries.iter().map(|q| paths(&index, q)).collect();
    drop(index);
    let mut rebuilt = SearchIndex::recreate(dir.path()).unwrap();
    assert_eq!(rebuilt.num_docs(), 0, "recreated empty");
    rebuilt.upsert(corpus()).unwrap();
    rebuilt.commit().unwrap();
    drop(rebuilt);
    let reopened = SearchIndex::open(dir.path()).unwrap();
    let after: Vec<Vec<String>> = queries.iter().map(|q| paths(&reopened, q)).collect();
    assert_eq!(before, after);
    assert_eq!(reopened.paths().unwrap().len(), corpus().len());
}

#[test]
fn a_damaged_index_is_refused_and_can_be_recreated() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("meta.json"), "{ not an index").unwrap();
    assert!(SearchIndex::open(dir.path()).is_err());
    let index = SearchIndex::recreate(dir.path()).unwrap();
    assert_eq!(index.num_docs(), 0);
}
