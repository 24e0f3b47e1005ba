-- The language a feed declares (RSS <language>, Atom xml:lang, JSON Feed
-- language), as the last parsed document said; pages mark its articles with it.
ALTER TABLE feeds ADD COLUMN language TEXT;
