-- Fetch state of each subscribed feed.
CREATE TABLE feeds (
    slug            TEXT PRIMARY KEY,
    url             TEXT NOT NULL,
    title           TEXT,
    last_checked_at INTEGER,          -- ms since epoch
    last_success_at INTEGER,
    last_error      TEXT,
    error_since     INTEGER,
    etag            TEXT,
    last_modified   TEXT,
    body_hash       TEXT,
    items_seen      INTEGER NOT NULL DEFAULT 0
);

-- One row per archived article.
CREATE TABLE articles (
    id              INTEGER PRIMARY KEY,
    feed            TEXT NOT NULL,
    item_key        TEXT,             -- identity (DESIGN.md); NULL when rebuilt from files
    key_hash        TEXT,             -- identity hash from the file name; NULL for imports
    path            TEXT NOT NULL UNIQUE,  -- relative to the vault
    url             TEXT NOT NULL,
    title           TEXT NOT NULL,
    time_ms         INTEGER,          -- T of the current version
    content_hash    TEXT NOT NULL,    -- of the current version's title and body
    first_seen_at   INTEGER NOT NULL,
    version_seen_at INTEGER NOT NULL, -- when the current version was first seen
    revisions       INTEGER NOT NULL DEFAULT 0,
    origin          TEXT NOT NULL     -- 'fetch', 'import' or 'reindex'
);
CREATE UNIQUE INDEX articles_identity ON articles(feed, item_key) WHERE item_key IS NOT NULL;
CREATE INDEX articles_key_hash ON articles(feed, key_hash) WHERE item_key IS NULL;
CREATE INDEX articles_url ON articles(feed, url) WHERE item_key IS NULL;

-- Earlier versions of articles, kept as files under <article>.revisions/.
CREATE TABLE revisions (
    article_id      INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    path            TEXT NOT NULL UNIQUE,
    content_hash    TEXT NOT NULL,
    seen_at         INTEGER NOT NULL
);
CREATE INDEX revisions_article ON revisions(article_id);
