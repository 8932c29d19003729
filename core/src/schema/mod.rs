//! Every record govstream emits, with its JSON form. JSON is snake_case,
//! optional fields are omitted rather than null, and every record carries
//! `schema_version`.

mod audit;
mod common;
mod details;
mod dlp_match;
mod event;
mod record;
mod shadow;

pub use audit::*;
pub use common::*;
pub use details::*;
pub use dlp_match::*;
pub use event::*;
pub use record::*;
pub use shadow::*;
