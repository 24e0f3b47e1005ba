-- The engine (issue: engine): byte hashes for verify, normalized links for adoption
-- across feeds, the search index's progress, and the journal of files being written.
ALTER TABLE articles ADD COLUMN file_hash TEXT;   -- SHA-256 of the file's bytes as archived
ALTER TABLE articles ADD COLUMN link_key TEXT;    -- the link's identity form (no fragment, no utm_*)
ALTER TABLE articles ADD COLUMN raw_hash TEXT;    -- SHA-256 of the item's raw bytes in the feed
ALTER TABLE articles ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;  -- in the search index
ALTER TABLE revisions ADD COLUMN file_hash TEXT;
-- Rows that existed before this migration were indexed by the command that wrote them.
UPDATE articles SET indexed = 1;
CREATE INDEX articles_link_key ON articles(link_key) WHERE link_key IS NOT NULL;
CREATE INDEX articles_raw_hash ON articles(feed, raw_hash) WHERE raw_hash IS NOT NULL;
CREATE INDEX articles_unindexed ON articles(id) WHERE indexed = 0;
CREATE INDEX articles_time ON articles(time_ms DESC, path);
CREATE INDEX articles_feed_time ON articles(feed, time_ms DESC, path);
CREATE INDEX revisions_seen ON revisions(seen_at DESC);
-- Files staged by a write that has not been recorded yet: after a crash, the next
-- writer adopts the ones that reached their place and forgets the rest.
CREATE TABLE pending_files (
    path       TEXT PRIMARY KEY,
    feed       TEXT NOT NULL,
    staged_at  INTEGER NOT NULL
);
