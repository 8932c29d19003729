//! Helpers of `siem_content_pack.rs`.

pub(crate) mod queries;
pub(crate) mod samples;
