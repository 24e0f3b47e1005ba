//! The records of kept images: each file under assets/ (hash, media type, size)
//! and what each article's images became (kept as a hash, or why not). The writer
//! records them ([`SqliteStore`]); the web UI and `verify` read them
//! ([`StoreReader`]). `reindex` rebuilds them from assets/records.jsonl.

use rusqlite::{Connection, OptionalExtension, params};

use crate::queries::sql;
use crate::{Result, SqliteStore, StoreReader};

/// A file kept under assets/.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRow {
    /// SHA-256 of the bytes, lowercase hex.
    pub hash: String,
    pub media_type: String,
    pub bytes: u64,
    /// Relative to the vault: `assets/ab/<hash>.<ext>`.
    pub path: String,
}

/// What one image an article references became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleAsset {
    /// The article's path.
    pub article: String,
    /// The image as the article references it, resolved against the article's link.
    pub url: String,
    /// The kept file, or why the image was not kept.
    pub kept: std::result::Result<String, String>,
    /// A failure that may pass (a timeout, a 5xx): tried again on a later cycle.
    pub retry: bool,
    pub attempts: u32,
    pub tried_at: i64,
}

/// An image of an article that was kept, with its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptAsset {
    pub url: String,
    pub asset: AssetRow,
}

const ASSET_COLUMNS: &str = "hash, media_type, bytes, path";

fn asset_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AssetRow> {
    Ok(AssetRow { hash: r.get(0)?, media_type: r.get(1)?, bytes: r.get::<_, i64>(2)? as u64, path: r.get(3)? })
}

fn article_asset(r: &rusqlite::Row<'_>) -> rusqlite::Result<ArticleAsset> {
    let hash: Option<String> = r.get(2)?;
    let failure: Option<String> = r.get(3)?;
    Ok(ArticleAsset {
        article: r.get(0)?,
        url: r.get(1)?,
        kept: hash.ok_or_else(|| failure.unwrap_or_default()),
        retry: r.get(4)?,
        attempts: r.get(5)?,
        tried_at: r.get(6)?,
    })
}

fn record(conn: &mut Connection, assets: &[AssetRow], links: &[ArticleAsset]) -> Result<()> {
    let context = "recording kept images";
    let tx = conn.transaction().map_err(sql(context))?;
    {
        let mut insert = tx
            .prepare_cached("INSERT OR IGNORE INTO assets (hash, media_type, bytes, path) VALUES (?1, ?2, ?3, ?4)")
            .map_err(sql(context))?;
        for asset in assets {
            insert
                .execute(params![asset.hash, asset.media_type, asset.bytes as i64, asset.path])
                .map_err(sql(context))?;
        }
        let mut link = tx
            .prepare_cached(
                "INSERT INTO article_assets (article, url, hash, failure, retry, attempts, tried_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(article, url) DO UPDATE SET \
                 hash = excluded.hash, failure = excluded.failure, retry = excluded.retry, \
                 attempts = excluded.attempts, tried_at = excluded.tried_at",
            )
            .map_err(sql(context))?;
        for l in links {
            let (hash, failure) = match &l.kept {
                Ok(hash) => (Some(hash.as_str()), None),
                Err(why) => (None, Some(why.as_str())),
            };
            link.execute(params![l.article, l.url, hash, failure, l.retry, l.attempts, l.tried_at])
                .map_err(sql(context))?;
        }
    }
    tx.commit().map_err(sql(context))
}

fn kept_url(conn: &Connection, url: &str) -> Result<Option<AssetRow>> {
    conn.query_row(
        "SELECT a.hash, a.media_type, a.bytes, a.path FROM article_assets l JOIN assets a ON a.hash = l.hash \
         WHERE l.url = ?1 AND l.hash IS NOT NULL LIMIT 1",
        [url],
        asset_row,
    )
    .optional()
    .map_err(sql("looking up a kept image"))
}

fn article_assets(conn: &Connection, article: &str) -> Result<Vec<ArticleAsset>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT article, url, hash, failure, retry, attempts, tried_at FROM article_assets \
             WHERE article = ?1 ORDER BY url",
        )
        .map_err(sql("reading an article's images"))?;
    stmt.query_map([article], article_asset).and_then(|rows| rows.collect()).map_err(sql("reading an article's images"))
}

fn kept_for(conn: &Connection, article: &str) -> Result<Vec<KeptAsset>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT l.url, a.hash, a.media_type, a.bytes, a.path FROM article_assets l JOIN assets a \
             ON a.hash = l.hash WHERE l.article = ?1 ORDER BY l.url",
        )
        .map_err(sql("reading an article's kept images"))?;
    stmt.query_map([article], |r| {
        Ok(KeptAsset {
            url: r.get(0)?,
            asset: AssetRow {
                hash: r.get(1)?,
                media_type: r.get(2)?,
                bytes: r.get::<_, i64>(3)? as u64,
                path: r.get(4)?,
            },
        })
    })
    .and_then(|rows| rows.collect())
    .map_err(sql("reading an article's kept images"))
}

fn asset(conn: &Connection, hash: &str) -> Result<Option<AssetRow>> {
    conn.query_row(&format!("SELECT {ASSET_COLUMNS} FROM assets WHERE hash = ?1"), [hash], asset_row)
        .optional()
        .map_err(sql("reading a kept image"))
}

fn assets(conn: &Connection) -> Result<Vec<AssetRow>> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {ASSET_COLUMNS} FROM assets ORDER BY hash"))
        .map_err(sql("reading assets"))?;
    stmt.query_map([], asset_row).and_then(|rows| rows.collect()).map_err(sql("reading assets"))
}

impl SqliteStore {
    /// Records kept files and what articles' images became, in one transaction
    /// (a file already recorded stays as it is; an article's image is replaced).
    pub fn record_assets(&mut self, assets: &[AssetRow], links: &[ArticleAsset]) -> Result<()> {
        record(&mut self.conn, assets, links)
    }

    /// The file kept for this image URL by any article, if one was.
    pub fn kept_url(&self, url: &str) -> Result<Option<AssetRow>> {
        kept_url(&self.conn, url)
    }

    /// What an article's images became, by URL.
    pub fn article_assets(&self, article: &str) -> Result<Vec<ArticleAsset>> {
        article_assets(&self.conn, article)
    }

    /// Images not kept whose failure may pass, tried fewer than `max_attempts`
    /// times and last before `before_ms`: at most `limit`, the oldest first.
    pub fn assets_to_retry(&self, max_attempts: u32, before_ms: i64, limit: usize) -> Result<Vec<ArticleAsset>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT article, url, hash, failure, retry, attempts, tried_at FROM article_assets \
                 WHERE hash IS NULL AND retry = 1 AND attempts < ?1 AND tried_at < ?2 ORDER BY tried_at LIMIT ?3",
            )
            .map_err(sql("reading images to retry"))?;
        stmt.query_map(params![max_attempts, before_ms, limit as i64], article_asset)
            .and_then(|rows| rows.collect())
            .map_err(sql("reading images to retry"))
    }

    /// Forgets every asset record (`reindex` writes them again from the records file).
    pub fn clear_assets(&mut self) -> Result<()> {
        self.conn
            .execute_batch("DELETE FROM article_assets; DELETE FROM assets;")
            .map_err(sql("clearing asset records"))
    }

    /// Every kept file.
    pub fn assets(&self) -> Result<Vec<AssetRow>> {
        assets(&self.conn)
    }
}

impl StoreReader {
    /// An article's kept images, by URL.
    pub fn kept_assets(&self, article: &str) -> Result<Vec<KeptAsset>> {
        self.with(|c| kept_for(c, article))
    }

    /// What an article's images became, by URL.
    pub fn article_assets(&self, article: &str) -> Result<Vec<ArticleAsset>> {
        self.with(|c| article_assets(c, article))
    }

    /// A kept file by hash.
    pub fn asset(&self, hash: &str) -> Result<Option<AssetRow>> {
        self.with(|c| asset(c, hash))
    }

    /// Every kept file.
    pub fn assets(&self) -> Result<Vec<AssetRow>> {
        self.with(assets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SqliteStore;

    fn row(hash: &str) -> AssetRow {
        AssetRow {
            hash: hash.into(),
            media_type: "image/png".into(),
            bytes: 3,
            path: format!("assets/{}/{hash}.png", &hash[..2]),
        }
    }

    fn link(article: &str, url: &str, kept: std::result::Result<&str, &str>, retry: bool) -> ArticleAsset {
        ArticleAsset {
            article: article.into(),
            url: url.into(),
            kept: kept.map(str::to_owned).map_err(str::to_owned),
            retry,
            attempts: 1,
            tried_at: 10,
        }
    }

    #[test]
    fn kept_images_are_found_by_url_and_failures_retried_within_bounds() {
        let mut store = SqliteStore::in_memory().unwrap();
        let links = [
            link("a.md", "https://i.example/1.png", Ok("ab01"), false),
            link("a.md", "https://i.example/2.png", Err("HTTP 503"), true),
            link("b.md", "https://i.example/3.png", Err("HTTP 404"), false),
        ];
        store.record_assets(&[row("ab01"), row("ab01")], &links).unwrap();
        assert_eq!(store.assets().unwrap(), [row("ab01")]);
        assert_eq!(store.kept_url("https://i.example/1.png").unwrap(), Some(row("ab01")));
        assert_eq!(store.kept_url("https://i.example/2.png").unwrap(), None);
        assert_eq!(store.article_assets("a.md").unwrap(), links[..2]);
        let retry = store.assets_to_retry(3, 11, 10).unwrap();
        assert_eq!(retry, [links[1].clone()], "only the failure that may pass");
        assert!(store.assets_to_retry(3, 10, 10).unwrap().is_empty(), "tried too recently");
        assert!(store.assets_to_retry(1, 11, 10).unwrap().is_empty(), "tried enough");
        // Kept on a later attempt: the failure is replaced.
        let later = ArticleAsset { kept: Ok("ab01".into()), attempts: 2, ..links[1].clone() };
        store.record_assets(&[], std::slice::from_ref(&later)).unwrap();
        assert_eq!(store.article_assets("a.md").unwrap()[1], later);
        store.clear_assets().unwrap();
        assert!(store.assets().unwrap().is_empty() && store.article_assets("a.md").unwrap().is_empty());
    }
}
