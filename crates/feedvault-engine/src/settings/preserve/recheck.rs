//! `[preserve.recheck]`: when archived articles' pages are checked again.

use serde::Deserialize;

/// `[preserve.recheck]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(default)]
pub struct RecheckSection {}
