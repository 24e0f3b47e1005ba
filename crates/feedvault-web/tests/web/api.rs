//! The JSON API, checked against its own OpenAPI document: every response's
//! required properties are there with the declared types (a small walker over the
//! schema, following `$ref`), and `/api/search` has exactly the shape of
//! `feedvault search --json`.

use serde_json::{Value, json};

use crate::pages::{ZH_TITLE, fixture, zh_path};
use crate::support::get;

/// Problems of `value` against `schema` (resolving `$ref` in `doc`).
fn check(doc: &Value, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/components/schemas/");
        return check(doc, &doc["components"]["schemas"][name], value, at, problems);
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        if !types.iter().any(|t| *t == actual || (*t == "number" && actual == "integer")) {
            problems.push(format!("{at}: {actual}, declared {types:?}"));
            return;
        }
    }
    if let Some(object) = value.as_object() {
        for required in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            let key = required.as_str().unwrap();
            if !object.contains_key(key) {
                problems.push(format!("{at}: missing {key}"));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (key, item) in object {
            match properties.and_then(|p| p.get(key)) {
                Some(property) => check(doc, property, item, &format!("{at}.{key}"), problems),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    problems.push(format!("{at}: {key} is not declared"))
                }
                None => problems.push(format!("{at}: {key} is undocumented")),
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            check(doc, items, item, &format!("{at}[{i}]"), problems);
        }
    }
}

fn schema_of<'a>(doc: &'a Value, path: &str) -> &'a Value {
    &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
}

#[tokio::test]
async fn responses_match_the_openapi_document() {
    let fixture = fixture();
    let app = fixture.app();
    let doc = get(&app, "/api/openapi.json").await;
    assert_eq!(doc.content_type(), "application/json");
    let doc = doc.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let id = feedvault_web::ids::id_of(&zh_path(&fixture));
    for (uri, path) in [
        ("/api/feeds".to_owned(), "/api/feeds"),
        ("/api/articles".to_owned(), "/api/articles"),
        ("/api/articles?feed=nyt&since=2022-09-20&until=2022-09-20&page=1&size=1".to_owned(), "/api/articles"),
        (format!("/api/articles/{id}"), "/api/articles/{id}"),
        ("/api/search?q=%E4%B8%AD%E5%9B%BD".to_owned(), "/api/search"),
    ] {
        let answer = get(&app, &uri).await;
        assert_eq!(answer.status, 200, "{uri}: {}", answer.body);
        assert!(answer.content_type().starts_with("application/json"), "{uri}");
        let schema = schema_of(&doc, path);
        assert!(!schema.is_null(), "{path} is documented");
        let mut problems = Vec::new();
        check(&doc, schema, &answer.json(), &uri, &mut problems);
        assert!(problems.is_empty(), "{problems:#?}");
    }
    // The walker itself fails on what it must.
    let mut problems = Vec::new();
    check(&doc, schema_of(&doc, "/api/search"), &json!([{"title": 1, "extra": true}]), "x", &mut problems);
    assert!(problems.len() >= 2, "{problems:?}");
}

#[tokio::test]
async fn api_content() {
    let fixture = fixture();
    let app = fixture.app();
    let feeds = get(&app, "/api/feeds").await.json();
    assert_eq!(feeds[0]["name"], "nyt");
    assert_eq!(feeds[0]["articles"], 2);
    let articles = get(&app, "/api/articles?feed=nyt&since=2022-09-20&until=2022-09-20").await.json();
    assert_eq!(articles["total"], 1);
    assert_eq!(articles["items"][0]["title"], ZH_TITLE);
    let id = articles["items"][0]["id"].as_str().unwrap().to_owned();
    let article = get(&app, &format!("/api/articles/{id}")).await.json();
    assert_eq!(article["revisions"].as_array().unwrap().len(), 1);
    assert!(article["revisions"][0]["body"].as_str().unwrap().contains("俄罗斯与中国"));
    assert!(article["body"].as_str().unwrap().contains("进一步"));
    // The same shape as `feedvault search --json`: exactly these keys.
    let hits = get(&app, "/api/search?q=cat").await.json();
    let mut keys: Vec<&String> = hits[0].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["link", "path", "published", "snippet", "title"]);
    assert!(hits[0]["snippet"].as_str().unwrap().contains("<b>cat</b>"));
    for (uri, status) in [
        ("/api/search", 400),
        ("/api/search?q=x&size=0", 400),
        ("/api/articles?page=0", 400),
        ("/api/articles?since=2022-02-30", 400),
        ("/api/articles?size=100000", 400),
        ("/api/articles/nope", 404),
        ("/api/articles/../../feedvault.toml", 404),
    ] {
        assert_eq!(get(&app, uri).await.status, status, "{uri}");
    }
}
