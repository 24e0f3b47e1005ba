//! What readers ask of the kept images: an article's kept copies by the URL the
//! article references them with, and a kept file's bytes with its media type.

use std::collections::HashMap;

use crate::{EngineError, Result, Vault};

/// A kept copy, as the web UI addresses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptImage {
    pub hash: String,
    pub media_type: String,
}

impl KeptImage {
    /// `<hash>.<ext>`: the copy's name under `/assets/`.
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.hash, super::magic::extension(&self.media_type).unwrap_or("bin"))
    }
}

impl Vault {
    /// The kept copies of an article's images, by their key ([`super::reference_key`]).
    pub fn kept_images(&self, article: &str) -> Result<HashMap<String, KeptImage>> {
        Ok(self
            .reader
            .kept_assets(article)?
            .into_iter()
            .map(|k| (k.url, KeptImage { hash: k.asset.hash, media_type: k.asset.media_type }))
            .collect())
    }

    /// A kept file named `<hash>.<ext>`: its media type and bytes, when the vault
    /// has it under that name.
    pub fn kept_file(&self, name: &str) -> Result<Option<(String, Vec<u8>)>> {
        let Some((hash, ext)) = name.split_once('.') else { return Ok(None) };
        if !super::files::is_hash(hash) {
            return Ok(None);
        }
        let Some(asset) = self.reader.asset(hash)? else { return Ok(None) };
        if super::magic::extension(&asset.media_type) != Some(ext) {
            return Ok(None);
        }
        let path = self.root.join(&asset.path);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some((asset.media_type, bytes))),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(EngineError::Io { path, source }),
        }
    }
}
