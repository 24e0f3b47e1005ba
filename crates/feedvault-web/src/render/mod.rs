//! Turning archived text into what a page shows: sanitized HTML ([`sanitize`]), plain
//! text ([`text`]), its language ([`lang`]) and diffs between versions ([`diff`]).
//! Rendering only reads: nothing here ever changes a file.

pub mod cache;
pub mod diff;
pub mod lang;
pub mod sanitize;
pub mod text;
