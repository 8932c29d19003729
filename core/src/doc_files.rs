//! Every Rust code block in the README and in `docs/` is a doctest: the
//! files are included here as doc comments, so `cargo test --doc` compiles
//! and runs their examples and a renamed function or a missing variable in
//! the documentation fails CI instead of failing a reader.
//!
//! Blocks fenced as `rust` (or left untagged) run; fence a block that is
//! not Rust with its language (`text`, `sh`, `json`, …). The test
//! `core/tests/doc_files.rs` checks that every Markdown file is listed here.

/// `README.md`.
#[doc = include_str!("../../README.md")]
pub struct Readme;

/// `docs/analytics.md`.
#[doc = include_str!("../../docs/analytics.md")]
pub struct Analytics;

/// `docs/architecture.md`.
#[doc = include_str!("../../docs/architecture.md")]
pub struct Architecture;

/// `docs/audit.md`.
#[doc = include_str!("../../docs/audit.md")]
pub struct Audit;

/// `docs/bindings.md`.
#[doc = include_str!("../../docs/bindings.md")]
pub struct Bindings;

/// `docs/delivery.md`.
#[doc = include_str!("../../docs/delivery.md")]
pub struct Delivery;

/// `docs/glossary.md`.
#[doc = include_str!("../../docs/glossary.md")]
pub struct Glossary;

/// `docs/fuzzing.md`.
#[doc = include_str!("../../docs/fuzzing.md")]
pub struct Fuzzing;

/// `docs/integrations.md`.
#[doc = include_str!("../../docs/integrations.md")]
pub struct Integrations;

/// `docs/keys.md`.
#[doc = include_str!("../../docs/keys.md")]
pub struct Keys;

/// `docs/notifications.md`.
#[doc = include_str!("../../docs/notifications.md")]
pub struct Notifications;

/// `docs/operations.md`.
#[doc = include_str!("../../docs/operations.md")]
pub struct Operations;

/// `docs/outbox.md`.
#[doc = include_str!("../../docs/outbox.md")]
pub struct Outbox;

/// `docs/performance.md`.
#[doc = include_str!("../../docs/performance.md")]
pub struct Performance;

/// `docs/policy.md`.
#[doc = include_str!("../../docs/policy.md")]
pub struct Policy;

/// `docs/python.md`.
#[doc = include_str!("../../docs/python.md")]
pub struct Python;

/// `docs/receivers.md`.
#[doc = include_str!("../../docs/receivers.md")]
pub struct Receivers;

/// `docs/rule-checks.md`.
#[doc = include_str!("../../docs/rule-checks.md")]
pub struct RuleChecks;

/// `docs/rules.md`.
#[doc = include_str!("../../docs/rules.md")]
pub struct Rules;

/// `docs/scale.md`.
#[doc = include_str!("../../docs/scale.md")]
pub struct Scale;

/// `docs/schema.md`.
#[doc = include_str!("../../docs/schema.md")]
pub struct Schema;

/// `docs/shadow.md`.
#[doc = include_str!("../../docs/shadow.md")]
pub struct Shadow;

/// `docs/siem.md`.
#[doc = include_str!("../../docs/siem.md")]
pub struct Siem;

/// `docs/sinks.md`.
#[doc = include_str!("../../docs/sinks.md")]
pub struct Sinks;

/// `docs/wasm.md`.
#[doc = include_str!("../../docs/wasm.md")]
pub struct Wasm;
