//! One edge for every host: the binding-neutral API that the Python, Node,
//! WASM and Swift/Kotlin bindings and the CLI call, so they stay thin and
//! can never disagree.
//!
//! Serde types in, serde types out: a binding converts its values to and
//! from these types (or calls the [`json`] forms with strings), maps
//! [`ApiError`] by its `kind`, and renames to host idiom. Checks, defaults,
//! state machines and catalogs live here, never in a binding.
//!
//! | what a host does | call |
//! |---|---|
//! | compile a policy, evaluate, scan, redact, list rules, classify | [`CompiledPolicy`] |
//! | test a policy on a corpus against a baseline | [`CompiledPolicy::compare`] |
//! | redact a streamed reply chunk by chunk | [`CompiledPolicy::stream`], [`finish_stream`] |
//! | built-in rules, version | [`builtin_rules`], [`version`] |
//! | read a shadow-AI report | [`CompiledPolicy::shadow_report`] |
//! | build an audit record, read a Keycloak log | [`audit_event`], [`parse_keycloak`] |
//! | mint an API key, check a key store, verify a presented key | [`mint_api_key`], [`check_key_store`], [`verify_api_key`] |
//! | analytics | [`analytics_summary`], [`analytics_report_html`] (and [`crate::analytics::Analytics`] to aggregate) |
//! | describe sinks and a pipeline | [`Sink`], [`PipelineSpec`] |
//! | run a pipeline on the core's thread | `PipelineHandle` (the `native` feature, not on wasm32) |
//! | run a pipeline with the host's own I/O | [`HostPipeline`] |
//! | everything with strings only | [`json::call`], [`CompiledPolicy::call_json`] |
//!
//! See `docs/bindings.md` for what a binding author calls.

mod calls;
mod error;
#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
mod handle;
mod host;
pub mod json;
mod keys;
mod policy_test;
mod sink;
mod spec;

pub use crate::policy::{StreamOutcome, StreamRedactor};
pub use calls::{
    AnalyticsInput, AuditEventInput, CompiledPolicy, EvaluateInput, KeycloakInput, KeycloakOutput,
    analytics_report_html, analytics_summary, audit_event, builtin_rules, finish_stream,
    parse_keycloak, version,
};
pub use error::{ApiError, ErrorKind};
#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
pub use handle::{CloseReport, FlushReport, HostSink, PipelineHandle, StartOptions, close_all};
pub use host::{HostOutcome, HostPipeline, HostTransmit};
pub use keys::{
    KeyCheck, MintedKeyOutput, VerifyKeyInput, check_key_store, mint_api_key, verify_api_key,
};
pub use policy_test::{PolicyTestInput, corpus_entry};
pub use sink::{
    AzureLogsSink, BuiltSink, CallbackSink, CefSink, ElasticsearchSink, HttpSink, JsonlSink,
    MemorySink, OcsfSink, OtlpSink, REDACTED, SINK_KINDS, Secrets, Sink, SinkOptions,
    SplunkHecSink, SyslogPayload, SyslogSink, WebhookSink,
};
pub use spec::{DEFAULT_HTTP_TIMEOUT_MS, OutboxSpec, PipelineSpec};
