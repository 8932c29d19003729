//! Data-loss prevention: rules as data, the built-in packs, validators and
//! the scanner that runs them in one pass.

mod compiled;
mod encoded;
mod normalize;
pub mod packs;
mod rule;
mod scanner;
pub mod validators;

pub use compiled::{Dialect, MAX_PATTERN_LEN, check_rule};
pub use normalize::normalize;
pub use rule::*;
pub use scanner::{DEFAULT_MAX_SCAN_BYTES, Finding, ScanResult, Scanner, ScannerRule};
