-- Scheduling and failure history of each feed (issue: fetching).
ALTER TABLE feeds ADD COLUMN next_check_at INTEGER;         -- ms; NULL: due now
ALTER TABLE feeds ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;  -- consecutive
ALTER TABLE feeds ADD COLUMN failure_kind TEXT;             -- dns, connect, tls, timeout, http 404, ...
ALTER TABLE feeds ADD COLUMN gone_streak INTEGER NOT NULL DEFAULT 0;  -- consecutive 404/410 answers
ALTER TABLE feeds ADD COLUMN gone_streak_since INTEGER;     -- ms of the first of them
ALTER TABLE feeds ADD COLUMN gone_since INTEGER;            -- ms; set: no longer fetched
ALTER TABLE feeds ADD COLUMN moved_from TEXT;               -- URL before the last permanent redirect
ALTER TABLE feeds ADD COLUMN gaps INTEGER NOT NULL DEFAULT 0;  -- fetches where items were provably missed
ALTER TABLE feeds ADD COLUMN last_gap_at INTEGER;
ALTER TABLE feeds ADD COLUMN last_items INTEGER;            -- items in the last document
ALTER TABLE feeds ADD COLUMN last_new_items INTEGER;        -- of which new

-- For the publishing rate (first-seen times of one feed's articles).
CREATE INDEX articles_feed_seen ON articles(feed, first_seen_at);
