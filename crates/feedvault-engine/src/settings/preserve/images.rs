//! `[preserve.images]`: which images articles reference are kept under assets/.
//!
//! Off unless a vault (or a feed, `images = true`) asks for it. SVG is never kept:
//! an SVG document can carry script, and a copy opened directly (from a static
//! export on a host that sends no policy) would run it; only raster types are
//! allowed, decided by the bytes' magic numbers.

use serde::Deserialize;
use serde::de::{self, Deserializer};

/// The media types that may be kept, and the default list.
pub const RASTER_TYPES: [&str; 5] = ["image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"];

/// `[preserve.images]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ImagesSection {
    /// Keep the images of every feed (a feed's `images = true|false` overrides it).
    pub enabled: bool,
    /// Largest image kept, in bytes (10 MiB): a larger body is refused as it streams in.
    #[serde(deserialize_with = "positive")]
    pub max_bytes: u64,
    /// Media types kept, among [`RASTER_TYPES`].
    #[serde(deserialize_with = "types")]
    pub types: Vec<String>,
    /// Images fetched at most per article (the rest are left as links).
    #[serde(deserialize_with = "positive")]
    pub per_article: u64,
}

impl Default for ImagesSection {
    fn default() -> Self {
        ImagesSection {
            enabled: false,
            max_bytes: 10 * 1024 * 1024,
            types: RASTER_TYPES.iter().map(|t| (*t).to_owned()).collect(),
            per_article: 32,
        }
    }
}

fn positive<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let n = u64::deserialize(d)?;
    if n == 0 { Err(de::Error::custom("must be more than 0")) } else { Ok(n) }
}

fn types<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let types = Vec::<String>::deserialize(d)?;
    for t in &types {
        if !RASTER_TYPES.contains(&t.as_str()) {
            return Err(de::Error::custom(format!(
                "{t:?} cannot be kept (use any of {}; SVG is never kept, it can carry script)",
                RASTER_TYPES.join(", ")
            )));
        }
    }
    Ok(types)
}
