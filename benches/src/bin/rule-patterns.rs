//! Prints the built-in rules' patterns as one JSON list, so that peers in
//! other languages (`benches/peers/realtext.py --patterns`) compile exactly
//! the rules of this build rather than those of an installed package.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let patterns: Vec<String> = govstream::dlp::packs::builtin_rules()
        .into_iter()
        .map(|r| r.pattern)
        .collect();
    let json = match serde_json::to_string(&patterns) {
        Ok(json) => json,
        Err(e) => {
            eprintln!("rule-patterns: {e}");
            return ExitCode::FAILURE;
        }
    };
    match writeln!(std::io::stdout().lock(), "{json}") {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rule-patterns: {e}");
            ExitCode::FAILURE
        }
    }
}
