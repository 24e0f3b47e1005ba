//! `verify` for raw captures: every record line reads, every body a record or state.db
//! names is under captures/ and holds the bytes its name says (decompressed and
//! hashed), state.db knows no capture the records file lacks (reindex would forget
//! it), and no temporary file is left.

use std::collections::{BTreeMap, BTreeSet};

use feedvault_archive::captures::{self as files, CaptureRecord};
use feedvault_store::CaptureRow;

use crate::{Result, Vault};

/// State.db's captures are read this many at a time.
const PAGE: usize = 1000;

impl Vault {
    /// The problems of captures/, one line each.
    pub(crate) fn verify_captures(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let (records, bad) = files::read_records(&self.root)?;
        problems.extend(bad);
        let mut bodies: BTreeMap<String, u64> =
            records.iter().map(|r: &CaptureRecord| (r.capture.body_hash.clone(), r.capture.body_length)).collect();
        let in_records: BTreeSet<&str> = records.iter().map(|r| r.capture.id.as_str()).collect();
        let mut last: Option<CaptureRow> = None;
        loop {
            let rows = self.captures_after(last.as_ref(), PAGE)?;
            for row in &rows {
                if !in_records.contains(row.id.as_str()) {
                    problems.push(format!(
                        "capture {} of {}: recorded in state.db but not in {} (reindex would forget it)",
                        row.id,
                        row.final_url,
                        files::RECORDS
                    ));
                }
                bodies.entry(row.body_hash.clone()).or_insert(row.body_length);
            }
            match rows.last() {
                Some(row) if rows.len() == PAGE => last = Some(row.clone()),
                _ => break,
            }
        }
        for (hash, length) in &bodies {
            if let Err(err) = files::read_body(&self.root, hash, *length) {
                problems.push(format!("{}: a kept capture body is missing or altered: {err}", files::body_path(hash)));
            }
        }
        for file in files::temp_files(&self.root) {
            problems.push(format!("{}: a temporary file left by an interrupted write", file.display()));
        }
        Ok(problems)
    }
}
