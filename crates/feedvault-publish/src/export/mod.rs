//! Exports: the archive streamed out as JSON Lines (corpora) and WARC (web archives).
