//! Delivery: every record goes through one pipeline to pluggable sinks.
//! The pipeline is a sans-IO state machine (queues, batches, retries,
//! counts); drivers do the I/O.

pub mod encode;
