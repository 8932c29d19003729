//! `govstream policy test`: run a corpus through a candidate policy (and
//! the baseline it replaces) and print what would change, for a person or,
//! with `--json`, for a CI job. The counting is the core's
//! (`govstream::policy::PolicyTest`); this file reads the corpus and
//! formats the report.

use crate::input::{Source, Unread};
use crate::{Failure, line, load_policy};
use clap::{Args, Subcommand};
use govstream::analytics::VerdictCounts;
use govstream::policy::{
    ListLimits, NamedCount, Policy, PolicyOutcome, PolicyTest, PolicyTestReport, Thresholds,
};
use govstream::schema::Verdict;
use serde_json::Value;
use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

/// `govstream policy …`.
#[derive(Subcommand)]
pub(crate) enum PolicyCommand {
    /// Evaluate a corpus (JSON Lines `{"id"?, "text", …context}`) with a
    /// policy and, with `--baseline`, the policy it replaces; print verdict
    /// counts, their changes, top reasons and rules, and the inputs whose
    /// verdict flips (by `id`, else line). Exit 0 within every threshold
    /// given, 1 when one is exceeded, 2 for a usage, policy or corpus error.
    Test(TestCmd),
}

/// The flags of `policy test`.
#[derive(Args)]
pub(crate) struct TestCmd {
    /// The policy to test (JSON file).
    #[arg(long)]
    policy: String,
    /// The policy it would replace (JSON file); flips are counted against it.
    #[arg(long)]
    baseline: Option<String>,
    /// Exit 1 when more than N inputs flip (needs --baseline).
    #[arg(long, value_name = "N", requires = "baseline")]
    max_flips: Option<usize>,
    /// Exit 1 when more than this fraction (0.0–1.0) of inputs flip (needs --baseline).
    #[arg(long, value_name = "FRACTION", requires = "baseline")]
    max_flip_rate: Option<f64>,
    /// Exit 1 when the policy blocks more than this fraction (0.0–1.0) of inputs.
    #[arg(long, value_name = "FRACTION")]
    max_block_rate: Option<f64>,
    /// Entries in the top reasons and top rules lists.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Flipped inputs listed; the rest are counted.
    #[arg(long, default_value_t = 100)]
    list_flips: usize,
    /// Print the report as one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Corpus file (JSON Lines); `-` or nothing for standard input.
    corpus: Option<String>,
}

/// Runs `govstream policy …`.
pub(crate) fn main(cmd: PolicyCommand, out: &mut impl Write) -> Result<ExitCode, Failure> {
    let PolicyCommand::Test(cmd) = cmd;
    let candidate = load_policy(Some(&cmd.policy), None)?;
    let baseline = cmd
        .baseline
        .as_deref()
        .map(|b| load_policy(Some(b), None))
        .transpose()?;
    let args = TestArgs {
        candidate: &candidate,
        baseline: baseline.as_ref(),
        corpus: cmd.corpus.as_deref(),
        thresholds: Thresholds {
            max_flips: cmd.max_flips,
            max_flip_rate: cmd.max_flip_rate,
            max_block_rate: cmd.max_block_rate,
        },
        limits: ListLimits {
            top: cmd.top,
            flips: cmd.list_flips,
        },
    };
    let report = run(&args).map_err(Failure::Fatal)?;
    if cmd.json {
        line(out, &report)?;
    } else {
        out.write_all(text(&report, &cmd.policy, cmd.baseline.as_deref()).as_bytes())?;
    }
    Ok(if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// What `policy test` was asked.
struct TestArgs<'a> {
    candidate: &'a Policy,
    baseline: Option<&'a Policy>,
    corpus: Option<&'a str>,
    thresholds: Thresholds,
    limits: ListLimits,
}

/// The flag that sets a threshold, for messages.
fn flag(path: &str) -> String {
    let name = path.rsplit('.').next().unwrap_or(path);
    format!("--{}", name.replace('_', "-"))
}

/// Runs the test. Errors (exit 2): limits that cannot be checked, a corpus
/// that cannot be read, or lines that are not inputs — a test that skipped
/// lines would pass on less than it was given.
fn run(args: &TestArgs<'_>) -> Result<PolicyTestReport, String> {
    let problems = args.thresholds.problems(args.baseline.is_some());
    if !problems.is_empty() {
        let lines: Vec<String> = problems
            .iter()
            .map(|p| format!("  {}: {}", flag(&p.path), p.message))
            .collect();
        return Err(format!("invalid thresholds:\n{}", lines.join("\n")));
    }
    let source = Source::open(args.corpus, false, false)?;
    let mut test = PolicyTest::new(args.candidate, args.baseline, args.limits);
    let mut bad = Vec::new();
    for (n, item) in source.enumerate() {
        match item {
            Ok(item) => {
                let id = Some(item.id).filter(|v| !v.is_null());
                let context = item.context.with_input_id(id.as_ref());
                // The input's own line number, when the source knows it.
                let line = item.line.unwrap_or(n + 1);
                test.add(id, line, &item.text, &context);
            }
            Err(Unread::Line(b)) => bad.push(b.to_json()),
            Err(Unread::Input(message)) => return Err(message),
        }
    }
    if !bad.is_empty() {
        let shown: Vec<String> = bad
            .iter()
            .take(20)
            .map(|b| {
                format!(
                    "  line {}: {}",
                    b["line"],
                    b["error"].as_str().unwrap_or("")
                )
            })
            .collect();
        let more = bad.len().saturating_sub(shown.len());
        let tail = if more > 0 {
            format!("\n  … and {more} more")
        } else {
            String::new()
        };
        let what = if bad.len() == 1 {
            "1 corpus line is not an input".to_string()
        } else {
            format!("{} corpus lines are not inputs", bad.len())
        };
        return Err(format!(
            "{what} ({{\"id\"?, \"text\", …context}}); nothing was tested:\n{}{tail}",
            shown.join("\n")
        ));
    }
    Ok(test.finish(&args.thresholds))
}

fn pct(r: f64) -> String {
    format!("{:.1}%", r * 100.0)
}

/// An input's name: its id (a string without quotes) and line.
fn input_name(id: Option<&Value>, line: usize) -> String {
    match id {
        Some(Value::String(s)) => format!("id {s} (line {line})"),
        Some(v) => format!("id {v} (line {line})"),
        None => format!("line {line}"),
    }
}

fn counts_rows(out: &mut String, c: &VerdictCounts, b: Option<&VerdictCounts>) {
    for v in [
        Verdict::Allow,
        Verdict::Warn,
        Verdict::Redact,
        Verdict::Escalate,
        Verdict::Block,
    ] {
        let name = v.as_str();
        match b {
            Some(b) => {
                let change = match c.get(v).cmp(&b.get(v)) {
                    std::cmp::Ordering::Equal => "0".to_string(),
                    std::cmp::Ordering::Greater => format!("+{}", c.get(v) - b.get(v)),
                    std::cmp::Ordering::Less => format!("-{}", b.get(v) - c.get(v)),
                };
                let _ = writeln!(
                    out,
                    "  {name:<10} {:>9} {:>10} {change:>8}",
                    b.get(v),
                    c.get(v)
                );
            }
            None => {
                let _ = writeln!(out, "  {name:<10} {:>10}", c.get(v));
            }
        }
    }
}

fn named(out: &mut String, title: &str, list: &[NamedCount]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}");
    let width = list.iter().map(|n| n.name.len()).max().unwrap_or(0);
    for n in list {
        let _ = writeln!(out, "  {:<width$}  {}", n.name, n.inputs);
    }
}

fn monitor(out: &mut String, who: &str, o: &PolicyOutcome) {
    if let Some(w) = &o.would_verdicts {
        let _ = writeln!(
            out,
            "\nmonitor mode ({who}): {} inputs had a stronger verdict recorded than enforced; had it been enforced:",
            o.monitored
        );
        counts_rows(out, w, None);
    }
}

/// The report for a person.
fn text(r: &PolicyTestReport, candidate: &str, baseline: Option<&str>) -> String {
    let mut out = String::new();
    let _ = match baseline {
        Some(b) => writeln!(
            out,
            "policy test: {} inputs, {candidate} against baseline {b}\n",
            r.inputs
        ),
        None => writeln!(out, "policy test: {} inputs, {candidate}\n", r.inputs),
    };
    match &r.baseline {
        Some(b) => {
            let _ = writeln!(
                out,
                "  {:<10} {:>9} {:>10} {:>8}",
                "verdict", "baseline", "candidate", "change"
            );
            counts_rows(&mut out, &r.policy.verdicts, Some(&b.verdicts));
            let _ = writeln!(
                out,
                "  {:<10} {:>9} {:>10}",
                "block rate",
                pct(b.block_rate),
                pct(r.policy.block_rate)
            );
        }
        None => {
            let _ = writeln!(out, "  {:<10} {:>10}", "verdict", "inputs");
            counts_rows(&mut out, &r.policy.verdicts, None);
            let _ = writeln!(
                out,
                "  {:<10} {:>10}",
                "block rate",
                pct(r.policy.block_rate)
            );
        }
    }
    if r.baseline.is_some() {
        let _ = writeln!(
            out,
            "\nflips: {} of {} inputs ({})",
            r.flips,
            r.inputs,
            pct(r.flip_rate)
        );
        for t in &r.transitions {
            let _ = writeln!(
                out,
                "  {} -> {}: {}",
                t.from.as_str(),
                t.to.as_str(),
                t.inputs
            );
        }
        if !r.flipped.is_empty() {
            let _ = writeln!(out, "\nflipped inputs:");
            for f in &r.flipped {
                let _ = writeln!(
                    out,
                    "  {}: {} -> {} ({} -> {})",
                    input_name(f.id.as_ref(), f.line),
                    f.from.as_str(),
                    f.to.as_str(),
                    f.from_reason,
                    f.to_reason
                );
            }
            if r.flipped_omitted > 0 {
                let _ = writeln!(out, "  … and {} more (--list-flips)", r.flipped_omitted);
            }
        }
    }
    named(&mut out, "top reasons (candidate):", &r.policy.top_reasons);
    named(
        &mut out,
        "top rules (candidate, inputs matched):",
        &r.policy.top_rules,
    );
    if let Some(b) = &r.baseline {
        named(&mut out, "top reasons (baseline):", &b.top_reasons);
    }
    monitor(&mut out, "candidate", &r.policy);
    if let Some(b) = &r.baseline {
        monitor(&mut out, "baseline", b);
    }
    if !r.thresholds.is_empty() {
        let _ = writeln!(out, "\nthresholds:");
        for c in &r.thresholds {
            let (value, limit) = if c.name == "max_flips" {
                (format!("{}", c.value), format!("{}", c.limit))
            } else {
                (pct(c.value), pct(c.limit))
            };
            let verdict = if c.exceeded { "EXCEEDED" } else { "ok" };
            let _ = writeln!(
                out,
                "  {}: {value} (limit {limit}) {verdict}",
                flag(&c.name)
            );
        }
    }
    let exceeded = r.thresholds.iter().filter(|c| c.exceeded).count();
    let _ = if r.passed {
        writeln!(out, "\nresult: passed")
    } else {
        writeln!(out, "\nresult: FAILED ({exceeded} threshold(s) exceeded)")
    };
    out
}
