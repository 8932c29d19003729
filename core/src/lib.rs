//! govstream: govern every AI interaction and turn it into one structured,
//! privacy-safe event stream.
//!
//! A [`Policy`](policy::Policy) is compiled once from a JSON document and then
//! evaluates prompts and responses: the [`dlp`] scanner finds secrets and
//! personal data, the evaluator decides a [`Verdict`](schema::Verdict), the
//! [`text`] module redacts and bounds content, and the result is an
//! [`Event`](schema::Event) plus its [`DlpMatch`](schema::DlpMatch) records,
//! already shaped by the org's logging level.

pub mod analytics;
pub mod api;
pub mod audit;
mod base64;
pub mod clock;
pub mod dlp;
#[cfg(doctest)]
pub mod doc_files;
pub mod endpoint;
pub mod error;
pub mod ingest;
pub mod json_input;
pub mod keys;
pub mod notify;
pub mod pipeline;
pub mod policy;
pub mod schema;
pub mod select;
pub mod shadow;
pub mod text;
pub mod trace;

pub use error::{Error, Problem, Result};
