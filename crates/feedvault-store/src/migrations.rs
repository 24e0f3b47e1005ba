//! Schema migrations: ordered SQL files, applied in order, tracked by
//! `PRAGMA user_version`. A migration is never edited once released; a change to the
//! schema is a new file.

use rusqlite::Connection;

use crate::{Result, StoreError};

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_schedule.sql"),
    include_str!("migrations/0003_engine.sql"),
    include_str!("migrations/0004_publish.sql"),
    include_str!("migrations/0005_captures.sql"),
    include_str!("migrations/0006_checks.sql"),
    include_str!("migrations/0007_assets.sql"),
    include_str!("migrations/0008_language.sql"),
];

/// The schema version this build knows.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// Brings the database to the latest schema.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let sql = |context| move |source| StoreError::Sqlite { context, source };
    let current: i64 =
        conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql("reading schema version"))?;
    if current > LATEST {
        return Err(StoreError::TooNew { found: current, known: LATEST });
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction().map_err(sql("starting migration"))?;
        tx.execute_batch(migration).map_err(sql("applying migration"))?;
        tx.pragma_update(None, "user_version", index as i64 + 1).map_err(sql("recording schema version"))?;
        tx.commit().map_err(sql("committing migration"))?;
    }
    Ok(())
}
