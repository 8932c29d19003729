//! Scans the real-text corpus (`govstream_benches::real_text`, 4 KB prompts)
//! with every built-in rule PASSES times and prints the CPU time per pass:
//! on a loaded machine, CPU time measures the scanner where wall time
//! measures the neighbours. `scan-cpu [PASSES]`; `SCAN_CPU_DROP=digits`
//! (or `keywords`, or a rule id prefix) leaves those rules out, to see what
//! they cost.

use govstream::dlp::{DEFAULT_MAX_SCAN_BYTES, Dialect, Scanner, ScannerRule, packs};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

fn cpu_time() -> Duration {
    // Per-process CPU time (user + system) from /proc; zero elsewhere.
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    Duration::from_millis(ticks * 10)
}

fn main() -> ExitCode {
    let passes: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let Some(prompts) = govstream_benches::real_text::prompts(4096) else {
        eprintln!("scan-cpu: no changelogs, Python sources or READMEs on this machine");
        return ExitCode::FAILURE;
    };
    let drop = std::env::var("SCAN_CPU_DROP").unwrap_or_default();
    let rules = packs::builtin_rules()
        .into_iter()
        .filter(|r| match drop.as_str() {
            "digits" => r.min_digits.is_none(),
            "keywords" => r.keywords.is_empty(),
            "" => true,
            other => !r.id.starts_with(other),
        })
        .map(|spec| ScannerRule {
            spec,
            dialect: Dialect::Ascii,
        })
        .collect();
    let scanner = match Scanner::new(rules, DEFAULT_MAX_SCAN_BYTES) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("scan-cpu: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bytes: usize = prompts.iter().map(String::len).sum();
    // Count and a digest of every finding's (rule, start, end), to compare
    // two builds' results.
    let mut findings = 0usize;
    let mut digest: u64 = 0xcbf2_9ce4_8422_2325;
    for p in &prompts {
        for f in scanner.scan(p).findings {
            findings += 1;
            for n in [f.rule, f.byte_start, f.byte_end] {
                digest = (digest ^ n as u64).wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    let start = cpu_time();
    for _ in 0..passes {
        let n: usize = prompts
            .iter()
            .map(|p| scanner.scan(std::hint::black_box(p)).findings.len())
            .sum();
        std::hint::black_box(n);
    }
    let per_pass = (cpu_time() - start) / passes.max(1);
    let mib = bytes as f64 / (1 << 20) as f64;
    let line = format!(
        "{} prompts, {bytes} bytes, {findings} findings (digest {digest:016x}); {:.1} ms of CPU per pass = {:.0} MiB/s",
        prompts.len(),
        per_pass.as_secs_f64() * 1e3,
        mib / per_pass.as_secs_f64()
    );
    match writeln!(std::io::stdout().lock(), "{line}") {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
