-- Images kept (preservation): every kept file under assets/ by content hash, and
-- what each article's images became. assets/records.jsonl holds the same for
-- `reindex` (assets/ is not derived; these tables are).
CREATE TABLE assets (
    hash       TEXT PRIMARY KEY,  -- SHA-256 of the bytes, lowercase hex
    media_type TEXT NOT NULL,     -- from the bytes' magic numbers: image/jpeg, …
    bytes      INTEGER NOT NULL,
    path       TEXT NOT NULL      -- relative to the vault: assets/ab/<hash>.<ext>
);
CREATE TABLE article_assets (
    article  TEXT NOT NULL,       -- the article's path
    url      TEXT NOT NULL,       -- the image as the article references it, resolved
    hash     TEXT,                -- the kept file; NULL when it could not be kept
    failure  TEXT,                -- why it was not kept
    retry    INTEGER NOT NULL DEFAULT 0,  -- 1: the failure may pass (a timeout, a 5xx)
    attempts INTEGER NOT NULL DEFAULT 1,
    tried_at INTEGER NOT NULL,    -- ms
    PRIMARY KEY (article, url)
);
CREATE INDEX article_assets_url ON article_assets (url) WHERE hash IS NOT NULL;
CREATE INDEX article_assets_retry ON article_assets (tried_at) WHERE hash IS NULL AND retry = 1;
