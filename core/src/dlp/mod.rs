//! Data-loss prevention: rules as data, the built-in packs, validators and
//! the scanner that runs them in one pass.

mod compiled;
mod digit_run;
mod encoded;
mod gate;
mod normalize;
pub mod packs;
#[cfg(test)]
mod reference;
mod rule;
mod scanner;
mod shape;
mod start_facts;
mod triggers;
pub mod validators;

pub use compiled::{Dialect, MAX_COMPILED_REGEX_BYTES, MAX_PATTERN_LEN, check_rule};
pub(crate) use compiled::{RulePart, rule_problems};
pub use normalize::normalize;
pub use rule::*;
pub use scanner::{DEFAULT_MAX_SCAN_BYTES, Finding, ScanResult, Scanner, ScannerRule};
pub use shape::TriggerShape;
