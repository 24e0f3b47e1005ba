use super::*;
use feedvault_store::Origin;

fn row(path: &str, title: &str, time_ms: Option<i64>, revisions: u32) -> ArticleRow {
    ArticleRow {
        id: 0,
        feed: "f".into(),
        item_key: None,
        key_hash: None,
        path: path.into(),
        url: String::new(),
        title: title.into(),
        time_ms,
        content_hash: "h".into(),
        first_seen_at: 0,
        version_seen_at: 0,
        revisions,
        origin: Origin::Fetch,
        file_hash: None,
        link_key: None,
        raw_hash: None,
    }
}

/// 2022-09-20 at `hour`:`minute` UTC, in ms.
fn at(hour: i64, minute: i64) -> Option<i64> {
    Some(1_663_632_000_000 + (hour * 60 + minute) * 60_000)
}

#[test]
fn index_files_by_name_and_place() {
    let yes = ["archive/README.md", "archive/nyt/README.md", "archive/nyt/2022/09/20/README.md"];
    let no = [
        "archive/nyt/2022/README.md",
        "archive/nyt/2022/09/README.md",
        "archive/nyt/2022/09/20/readme.md",
        "archive/nyt/2022/09/20/a.revisions/README.md",
        "archive/nyt/22/09/20/README.md",
        "articles/nyt/README.md",
        "lists/README.md",
        "archive/nyt/2022/09/20/story-1234abcd.md",
        "archive//README.md",
    ];
    for path in yes {
        assert!(is_index_file(path), "{path}");
    }
    for path in no {
        assert!(!is_index_file(path), "{path}");
    }
}

#[test]
fn the_day_is_the_paths() {
    assert_eq!(day_of("archive/nyt/2022/09/20/a-1234abcd.md"), Some(("nyt", "2022/09/20")));
    assert_eq!(day_of("archive/纽约时报/2022/09/20/a.md"), Some(("纽约时报", "2022/09/20")));
    for path in [
        "archive/nyt/2022/09/20/a.revisions/1.md",
        "archive/nyt/loose.md",
        "archive/nyt/2022/9/20/a.md",
        "articles/nyt/1048575.md",
        "archive/nyt/2022/09/20/",
        "archive/nyt/２０２２/09/20/a.md",
    ] {
        assert_eq!(day_of(path), None, "{path}");
    }
}

#[test]
fn a_day_lists_its_articles_newest_first_with_times_in_the_zone() {
    let day = "2022/09/20";
    let articles = [
        row("archive/f/2022/09/20/early-1.md", "Early", at(1, 5), 0),
        row("archive/f/2022/09/20/late-2.md", "Late [live] | *updates*", at(9, 30), 2),
        row("archive/f/2022/09/20/undated-3.md", "", None, 1),
        row("archive/f/2022/09/20/spill-4.md", "Next day\nin UTC+8", at(17, 0), 0),
    ];
    let text = day_text("f", "Feed <T>", day, &articles, chrono_tz::UTC);
    assert_eq!(
        text,
        "# Feed \\<T\\>: 2022-09-20\n\n\
         [f](../../../README.md) · [archive](../../../../README.md) · 4 articles\n\n\
         - 17:00 [Next day in UTC+8](spill-4.md)\n\
         - 09:30 [Late \\[live\\] \\| \\*updates\\*](late-2.md) (2 revisions)\n\
         - 01:05 [Early](early-1.md)\n\
         - --:-- [\\(no title\\)](undated-3.md) (1 revision)\n"
    );
    let shanghai = day_text("f", "F", day, &articles, chrono_tz::Asia::Shanghai);
    assert!(shanghai.contains("- 2022-09-21 01:00 [Next day"), "a time on another day shows its date: {shanghai}");
    assert!(shanghai.contains("- 17:30 [Late"), "{shanghai}");
    let mut reversed = articles.clone();
    reversed.reverse();
    assert_eq!(day_text("f", "Feed <T>", day, &reversed, chrono_tz::UTC), text, "the order of rows does not matter");
}

#[test]
fn a_feed_lists_months_and_days_newest_first() {
    let days = [("2022/08/31".to_owned(), 1), ("2022/09/01".to_owned(), 2), ("2022/09/20".to_owned(), 3)];
    let info = FeedInfo { title: Some("NYT | 中文".into()), url: Some("https://e.com/feed?a=1&b=(2)".into()) };
    assert_eq!(
        feed_text("nyt", &info, &days),
        "# NYT \\| 中文\n\n\
         Feed: [https://e.com/feed?a=1\\&b=\\(2\\)](<https://e.com/feed?a=1&b=(2)>)\n\n\
         [archive](../README.md) · 6 articles · 3 days, 2022-08-31 to 2022-09-20\n\
         \n## 2022-09 (5 articles)\n\n\
         - [2022-09-20](2022/09/20/README.md): 3 articles\n\
         - [2022-09-01](2022/09/01/README.md): 2 articles\n\
         \n## 2022-08 (1 article)\n\n\
         - [2022-08-31](2022/08/31/README.md): 1 article\n"
    );
    let local = FeedInfo { title: None, url: Some("/srv/feeds/my feed.xml".into()) };
    let text = feed_text("mine", &local, &days[..1]);
    assert!(text.starts_with("# mine\n\nFeed: /srv/feeds/my feed.xml\n\n"), "a local path is no link: {text}");
    assert!(text.contains("[archive](../README.md) · 1 article · 1 day, 2022-08-31\n"), "{text}");
}

#[test]
fn the_archive_lists_feeds_and_the_latest_days() {
    let a_days: Vec<(String, u64)> =
        (1..=40).map(|d| (format!("2022/{:02}/{:02}", 1 + d / 28, 1 + d % 28), 1)).collect();
    let b_days = vec![("2022/01/02".to_owned(), 5)];
    let feeds = [
        FeedSummary { folder: "a", title: "Alpha_feed".into(), days: &a_days },
        FeedSummary { folder: "纽约时报", title: "纽约时报中文网".into(), days: &b_days },
    ];
    let text = archive_text(&feeds);
    assert!(text.starts_with("# Archive\n\n2 feeds · 45 articles · latest day 2022-02-13\n\n"), "{text}");
    assert!(text.contains(
        "| [a](a/README.md) | Alpha\\_feed | 40 | [2022-02-13](a/2022/02/13/README.md) |\n\
         | [纽约时报](%E7%BA%BD%E7%BA%A6%E6%97%B6%E6%8A%A5/README.md) | 纽约时报中文网 | 5 | \
         [2022-01-02](%E7%BA%BD%E7%BA%A6%E6%97%B6%E6%8A%A5/2022/01/02/README.md) |\n"
    ));
    let latest: Vec<&str> = text.lines().filter(|l| l.starts_with("- 2022-")).collect();
    assert_eq!(latest.len(), LATEST_DAYS);
    assert_eq!(latest[0], "- 2022-02-13 (1 article): [a](a/2022/02/13/README.md) 1");
    assert!(latest.windows(2).all(|w| w[0] > w[1]), "newest first");
    assert!(!text.contains("2022-01-02 ("), "older days are not among the latest: {text}");
    let one = archive_text(&feeds[1..]);
    assert!(one.contains(
        "- 2022-01-02 (5 articles): [纽约时报](%E7%BA%BD%E7%BA%A6%E6%97%B6%E6%8A%A5/2022/01/02/README.md) 5"
    ));
    assert!(one.starts_with("# Archive\n\n1 feed · 5 articles"));
    assert_eq!(archive_text(&feeds), text, "deterministic");
}

#[test]
fn an_empty_archive_has_an_index_without_days() {
    assert_eq!(
        archive_text(&[]),
        "# Archive\n\n0 feeds · 0 articles\n\n| feed | title | articles | latest day |\n| --- | --- | ---: | --- |\n"
    );
}

#[test]
fn several_feeds_on_one_day_share_its_line_in_folder_order() {
    let days = vec![("2022/09/20".to_owned(), 2)];
    let other = vec![("2022/09/20".to_owned(), 3)];
    let feeds = [
        FeedSummary { folder: "a", title: "A".into(), days: &days },
        FeedSummary { folder: "b", title: "B".into(), days: &other },
    ];
    assert!(archive_text(&feeds).ends_with(
        "## Latest days\n\n- 2022-09-20 (5 articles): [a](a/2022/09/20/README.md) 2 · [b](b/2022/09/20/README.md) 3\n"
    ));
}
