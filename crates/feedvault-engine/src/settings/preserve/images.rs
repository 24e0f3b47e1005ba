//! `[preserve.images]`: which images articles reference are kept under assets/.

use serde::Deserialize;

/// `[preserve.images]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(default)]
pub struct ImagesSection {}
