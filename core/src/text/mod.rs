//! Text handling between the scanner and the records: offsets in the three
//! units bindings need, redaction styles, bounded summaries and snippets.
//!
//! Everything here works on UTF-8 byte ranges from the scanner and converts
//! to code points and UTF-16 units once, through an [`OffsetMap`].

pub mod offsets;
mod plan;
pub mod redact;
pub mod snippet;
pub mod summary;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod testing;

pub use offsets::OffsetMap;
pub(crate) use redact::label_replacement;
pub use redact::{RedactedText, RedactionStyle, Redactor, Target};
pub use snippet::{first_snippets, snippet, snippets};
pub use summary::{SUMMARY_MAX_CHARS, summarize, truncate};
