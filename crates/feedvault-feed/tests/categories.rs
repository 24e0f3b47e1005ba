//! Item categories in the three formats: RSS `<category>`, Atom `<category>` (label,
//! else term) and JSON Feed `tags`, as China Digital Times writes them (emoji).

use feedvault_feed::{ParseOptions, parse};

fn categories(doc: &str) -> Vec<Vec<String>> {
    let feed = parse(doc.as_bytes(), &ParseOptions::default()).unwrap();
    feed.items.into_iter().map(|i| i.categories).collect()
}

#[test]
fn rss_categories_with_emoji_cdata_and_repeats() {
    let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>中国数字时代</title>
<item><title>【一周言论】“我们不是韭菜”</title><link>https://chinadigitaltimes.net/chinese/700001.html</link>
<category><![CDATA[💬一周言论]]></category><category>  敏感词库 </category><category>💬一周言论</category><category></category></item>
<item><title>其他</title><link>https://chinadigitaltimes.net/chinese/700002.html</link></item>
</channel></rss>"#;
    assert_eq!(categories(doc), [vec!["💬一周言论".to_owned(), "敏感词库".to_owned()], vec![]]);
}

#[test]
fn atom_categories_prefer_the_label() {
    let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><id>1</id><title>a</title><category term="politics" label="🔥 时政"/><category term="china"/><category term=" "/></entry>
</feed>"#;
    assert_eq!(categories(doc), [vec!["🔥 时政".to_owned(), "china".to_owned()]]);
}

#[test]
fn json_feed_tags() {
    let doc = r#"{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[
        {"id":"1","content_text":"x","tags":["📸 图片","news",3,"news"]},{"id":"2","content_text":"y"}]}"#;
    assert_eq!(categories(doc), [vec!["📸 图片".to_owned(), "news".to_owned()], vec![]]);
}
