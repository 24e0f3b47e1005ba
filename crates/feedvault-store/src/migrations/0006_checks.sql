-- Re-checks of archived articles' pages (takedown and edit detection): when each
-- article's page is checked next, what the last checks said, and the evidence of
-- every answer that counts (gone answers, the 'there' answer that ends a streak,
-- edits seen on the page, removals, vanishing from the feed). The evidence is also
-- appended to <archive>/.evidence/checks.jsonl, which reindex reads back.
CREATE TABLE article_checks (
    article_id     INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    step           INTEGER NOT NULL DEFAULT 0,  -- the next scheduled check (index into `after`)
    next_at        INTEGER,                     -- ms; NULL: no more checks
    last_at        INTEGER,                     -- ms of the last check
    last_verdict   TEXT,                        -- unchanged, changed, gone, unreachable
    page_text_hash TEXT,                        -- SHA-256 of the page's normalized article text, last seen
    gone_count     INTEGER NOT NULL DEFAULT 0,  -- gone answers since the last 'there'
    gone_since     INTEGER,                     -- ms of the first of them
    removed_at     INTEGER,                     -- ms; marked removed
    vanished_at    INTEGER                      -- ms; left the feed's window while older items stayed
);
CREATE INDEX article_checks_due ON article_checks(next_at) WHERE next_at IS NOT NULL;
CREATE INDEX article_checks_flagged ON article_checks(article_id) WHERE removed_at IS NOT NULL OR vanished_at IS NOT NULL;
CREATE TABLE check_evidence (
    id           INTEGER PRIMARY KEY,
    article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,   -- ms
    kind         TEXT NOT NULL,      -- gone, there, changed, removed, vanished
    status       INTEGER,            -- the final HTTP status, when there was one
    final_url    TEXT,
    headers      TEXT NOT NULL DEFAULT '',  -- "Name: value" lines (Location of each redirect, ETag, ...)
    body_hash    TEXT,               -- SHA-256 of the body answered
    content_hash TEXT,               -- changed: the content hash of the revision made
    detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX check_evidence_article ON check_evidence(article_id, at);
-- The items of each feed's last document, in document order, for vanishing.
CREATE TABLE feed_windows (
    feed      TEXT NOT NULL,
    item_key  TEXT NOT NULL,
    position  INTEGER NOT NULL,
    time_ms   INTEGER,
    PRIMARY KEY (feed, item_key)
);
