//! feedvault-core: the words every other stage shares.
//!
//! It owns the domain types (a parsed [`Feed`] and its [`Item`]s), the article file
//! format ([`article`]: one plain file per archived article, read and written exactly
//! as DESIGN.md specifies), the text and link normalizations that format needs, slugs,
//! and item identity. It does no I/O and depends on no other feedvault crate, so every
//! rule here is a pure function with table tests beside it.

pub mod article;
pub mod failure;
pub mod html;
pub mod identity;
pub mod link;
pub mod model;
pub mod slug;
pub mod text;

pub use article::{Article, ArticleError, ArticleTime};
pub use failure::FailureKind;
pub use model::{Enclosure, Feed, FeedFormat, Item};
