//! `[preserve]`: what is kept beyond the feed's own text: raw captures of the
//! responses archived from, the images articles reference (`[preserve.images]`) and
//! the re-checks of archived articles' pages (`[preserve.recheck]`).

use serde::Deserialize;

mod images;
mod recheck;
pub use images::ImagesSection;
pub use recheck::RecheckSection;

/// `[preserve]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PreserveSection {
    /// Every response archived from is kept under captures/ (zstd, content-addressed).
    pub captures: bool,
    pub images: ImagesSection,
    pub recheck: RecheckSection,
}

impl Default for PreserveSection {
    fn default() -> Self {
        PreserveSection { captures: true, images: ImagesSection::default(), recheck: RecheckSection::default() }
    }
}
