-- Raw captures: every response archived from, its body kept once by content hash
-- under captures/ (zstd), and which article versions each produced. The vault's
-- captures/records.jsonl holds the same records (reindex rebuilds these tables).
CREATE TABLE captures (
    id               TEXT PRIMARY KEY,  -- stable, from the time, URL and body hash
    kind             TEXT NOT NULL,     -- 'feed' or 'page'
    request_url      TEXT NOT NULL,
    final_url        TEXT NOT NULL,
    fetched_at       INTEGER NOT NULL,  -- ms
    http_version     TEXT NOT NULL,     -- 'HTTP/1.1', ...
    status           INTEGER NOT NULL,
    reason           TEXT NOT NULL,
    request_headers  TEXT NOT NULL,     -- 'Name: value' lines, secrets redacted
    response_headers TEXT NOT NULL,     -- 'Name: value' lines
    body_hash        TEXT NOT NULL,     -- sha256 hex of the body as received
    body_length      INTEGER NOT NULL,
    media_type       TEXT               -- Content-Type's type/subtype
);
CREATE INDEX captures_by_time ON captures(fetched_at, id);
-- An article version is its article's path and the time it was first seen (the
-- current file's version_seen_at, or a revision's seen_at).
CREATE TABLE capture_links (
    capture_id   TEXT NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
    article_path TEXT NOT NULL,
    seen_at      INTEGER NOT NULL,
    PRIMARY KEY (article_path, seen_at, capture_id)
);
CREATE INDEX capture_links_by_capture ON capture_links(capture_id);
