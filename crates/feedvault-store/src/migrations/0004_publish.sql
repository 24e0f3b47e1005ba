-- Publishing (issue: publishing): the files changed since the last git commit, what
-- each remote was last sent, and the articles whose day README indexes are not yet
-- written (a crash between the two leaves them here for the next writer).
CREATE TABLE unpublished (
    path   TEXT PRIMARY KEY,  -- relative to the vault
    feed   TEXT,              -- NULL for files of no one feed (archive/README.md)
    change TEXT NOT NULL      -- 'new', 'revised', 'revision' or 'index'
);
CREATE TABLE push_remotes (
    url             TEXT PRIMARY KEY,
    pushed_commit   TEXT,             -- the last commit the remote accepted
    pushed_at       INTEGER,          -- ms
    last_error      TEXT,             -- of the last attempt, NULL when it succeeded
    failures        INTEGER NOT NULL DEFAULT 0,  -- consecutive
    next_attempt_at INTEGER           -- ms; an automatic push waits until then
);
CREATE TABLE index_pending (
    path TEXT PRIMARY KEY             -- an article new or revised since its indexes were written
);
