//! What publishing asks of a vault: the journal of files changed since the last
//! git commit (the archiver journals article files as it records them; lists and
//! indexes are journaled here as they are written) and each push remote's record.
//! The git work itself is feedvault-publish's.

use chrono_tz::Tz;
use feedvault_archive::lists;
use feedvault_store::{ChangeKind, RemoteState, Store, Unpublished};

use crate::{Result, Vault, VaultWriter};

impl VaultWriter {
    /// The vault's folder.
    pub fn root(&self) -> &std::path::Path {
        &self.root
    }

    /// The files changed since the last commit, by path.
    pub fn unpublished(&self) -> Result<Vec<Unpublished>> {
        Ok(self.archiver.store().unpublished()?)
    }

    /// Forgets journaled files: they are committed.
    pub fn mark_published(&mut self, paths: &[String]) -> Result<()> {
        Ok(self.archiver.store_mut().clear_unpublished(paths)?)
    }

    /// Journals files for the next commit.
    pub fn mark_unpublished(&mut self, files: &[Unpublished]) -> Result<()> {
        Ok(self.archiver.store_mut().add_unpublished(files)?)
    }

    /// A push remote's record, if it was ever pushed to.
    pub fn push_remote(&self, url: &str) -> Result<Option<RemoteState>> {
        Ok(self.archiver.store().push_remote(url)?)
    }

    pub fn record_push(&mut self, state: &RemoteState) -> Result<()> {
        Ok(self.archiver.store_mut().record_push(state)?)
    }

    /// Writes a feed's countdown list and journals it for the next commit.
    pub(crate) fn write_list(&mut self, feed: &str, site: &str, zone: Tz) -> Result<()> {
        let path = lists::write_list(&self.root, feed, site, zone)?;
        let file = Unpublished { path, feed: Some(feed.to_owned()), change: ChangeKind::Index };
        self.mark_unpublished(&[file])
    }
}

impl Vault {
    /// Every push remote's record.
    pub fn push_remotes(&self) -> Result<Vec<RemoteState>> {
        Ok(self.reader.push_remotes()?)
    }

    /// How many files wait for the next commit.
    pub fn unpublished_count(&self) -> Result<u64> {
        Ok(self.reader.unpublished_count()?)
    }
}
