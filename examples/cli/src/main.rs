//! `govstream`: scan, evaluate and redact JSON Lines (or plain text) with a
//! govstream policy, from files or standard input.
//!
//! Exit codes: 0 done; 1 `--fail-on` reached (or, with `--fail-on`, a line
//! could not be read), or a `policy test` threshold exceeded; 2 usage,
//! policy or I/O error.

mod audit;
mod classify;
mod export;
mod export_file;
mod input;
mod keys;
mod policy_test;
mod scan_line;
mod stats;
mod stream;

use clap::{Args, Parser, Subcommand, ValueEnum};
use govstream::policy::{Policy, PolicyConfig};
use govstream::schema::Severity;
use govstream::text::RedactionStyle;
use input::{Item, Source, Unread};
use scan_line::ScanLine;
use serde_json::{Value, json};
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "govstream",
    version,
    about = "Govern AI prompts and responses: scan, evaluate, redact"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Find secrets and personal data: one JSON line of matches per input.
    Scan(RunArgs),
    /// Evaluate with the policy: the records a sink would receive, one JSON line each.
    Evaluate(RunArgs),
    /// Rewrite every match in the policy's (or the given) redaction style.
    Redact {
        #[command(flatten)]
        run: RunArgs,
        /// Redaction style; defaults to the policy's.
        #[arg(long, value_enum)]
        style: Option<Style>,
        /// Read the input as one raw text as it arrives, and write each
        /// piece as soon as it is safe to show (a model's output piped
        /// through on a terminal); the output is byte for byte `--plain`'s.
        #[arg(long, conflicts_with = "lossy")]
        stream: bool,
    },
    /// Deliver records (as written by `evaluate`) to a SIEM target through
    /// the real pipeline, or write them as one JSON array file (`--to json`),
    /// then print the sink's stats as one JSON line. Exit 1 if anything was
    /// dropped, dead-lettered or unreadable, or the target took nothing for
    /// `--timeout` and the export stopped.
    Export {
        /// The target format and protocol (or give `--sink-spec`).
        #[arg(long, value_enum, required_unless_present = "sink_spec")]
        to: Option<export::Target>,
        /// A sink as the core's sink catalog describes it, in a JSON file
        /// (`{"kind": "splunk_hec", "name": …, "url": …, "token": …,
        /// "options": {…}}`; see docs/sinks.md): the same object Python's
        /// `Sink.from_spec` takes. Replaces `--to` and its flags.
        #[arg(long, conflicts_with_all = ["to", "url", "token", "secret"])]
        sink_spec: Option<String>,
        /// Target URL (`http(s)://…`; `tcp://HOST:PORT` for syslog and cef;
        /// a file path for jsonl and json).
        #[arg(long)]
        url: Option<String>,
        /// Token for Splunk HEC, Elasticsearch (API key), Azure (bearer),
        /// OTLP (bearer) or OCSF (bearer).
        #[arg(long, env = "GOVSTREAM_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// Standard Webhooks signing secret (`whsec_…`) for `--to webhook`.
        #[arg(long, env = "GOVSTREAM_SECRET", hide_env_values = true)]
        secret: Option<String>,
        /// Elasticsearch index (or data stream).
        #[arg(long, default_value = "govstream-events")]
        index: String,
        /// Spool records through a durable outbox in this directory first;
        /// what is not delivered is sent again by the next export using it.
        #[arg(long)]
        outbox: Option<String>,
        /// Seconds to wait for room in the queue (per record) and for
        /// delivery at the end before giving up.
        #[arg(long, default_value_t = 60)]
        timeout: u64,
        /// Only records whose type name matches one of these globs
        /// (comma-separated or repeated): `event.blocked`, `event.*`,
        /// `dlp_match.secret`, `audit_event.Auth:*` (docs/sinks.md). The
        /// rest count as `filtered`.
        #[arg(long, value_delimiter = ',')]
        event_types: Vec<String>,
        /// Only records at or after this RFC 3339 time (and before `--now`).
        #[arg(long, conflicts_with = "window")]
        since: Option<String>,
        /// Only records of this last stretch of time before `--now`: `24h`,
        /// `90m`, `7d`, `1h30m`. The rest count as `filtered`.
        #[arg(long)]
        window: Option<String>,
        /// The end of `--since` / `--window` (RFC 3339; default: the clock),
        /// for reproducible runs.
        #[arg(long)]
        now: Option<String>,
        /// Records file (JSON Lines); `-` or nothing for standard input.
        input: Option<String>,
    },
    /// Classify URLs or hostnames as AI tools: one JSON line per input with
    /// `input`, `host`, `status` (`approved`, `unapproved`, `unknown_ai`,
    /// `not_ai`), `tool`, `vendor`, `category`, `severity`.
    Classify {
        /// Policy JSON file whose `ai_tools` lists decide approved and
        /// unapproved; the built-in default policy without it.
        #[arg(long)]
        policy: Option<String>,
        /// A catalog JSON file extending the built-in AI tool catalog.
        #[arg(long)]
        catalog: Option<String>,
        /// URLs or hosts; none or `-` reads them from standard input, one per line.
        inputs: Vec<String>,
    },
    /// Audit events from other systems' logs.
    Audit {
        #[command(subcommand)]
        source: AuditSource,
    },
    /// Aggregate a records file (as written by `evaluate`): verdict counts,
    /// DLP events, top patterns and the last seven days, as a table; with
    /// `--html`, also a self-contained report with inline SVG charts.
    Stats {
        /// Write the HTML report here.
        #[arg(long)]
        html: Option<String>,
        /// The HTML report's title.
        #[arg(long, default_value = "govstream report")]
        title: String,
        /// The reference time: RFC 3339, or `latest` for the newest record's
        /// time; now without it.
        #[arg(long)]
        now: Option<String>,
        /// Count only the newest N events (default 5000); 0 counts all.
        #[arg(long, default_value_t = 5000)]
        cap: usize,
        /// Print the summary as JSON instead of the table.
        #[arg(long)]
        json: bool,
        /// Records file; `-` or nothing for standard input.
        input: Option<String>,
    },
    /// Test a policy before rollout (`policy test`).
    Policy {
        #[command(subcommand)]
        command: policy_test::PolicyCommand,
    },
    /// API keys for systems that post reports (`docs/keys.md`).
    Keys {
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
    /// List the rules the policy enables, one JSON line each.
    Rules {
        /// Policy JSON file; the built-in default policy without it.
        #[arg(long)]
        policy: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditSource {
    /// Keycloak event log lines (`type="LOGIN_ERROR", realmId=…`) to
    /// `AuditEvent` records, one JSON line each; unknown types, malformed and
    /// cut lines become `{"line", "kind", "detail", "error", "text_excerpt"}`
    /// lines.
    Keycloak {
        /// Log file; `-` for standard input.
        file: String,
        /// Offset of the log's timestamps from UTC (`+05:30`, `-05:00`, `Z`);
        /// UTC without it.
        // A west-of-UTC offset starts with `-`: without this, clap reads
        // `--utc-offset -05:00` as an unknown flag `-0`.
        #[arg(long, allow_hyphen_values = true)]
        utc_offset: Option<String>,
        /// Org id to put on every event.
        #[arg(long)]
        org_id: Option<String>,
    },
}

#[derive(Args)]
struct RunArgs {
    /// Policy JSON file; the built-in default policy without it.
    #[arg(long)]
    policy: Option<String>,
    /// Read the whole input as one raw text instead of JSON Lines.
    #[arg(long)]
    plain: bool,
    /// Read invalid UTF-8 as U+FFFD instead of refusing it (offsets are then
    /// into the text with the replacements).
    #[arg(long)]
    lossy: bool,
    /// Exit 1 when any match reaches this severity, or any line could not
    /// be read.
    #[arg(long, value_enum)]
    fail_on: Option<SeverityArg>,
    /// Input file (JSON Lines `{"id": …, "text": …}`); `-` or nothing for standard input.
    input: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum SeverityArg {
    Low,
    Medium,
    High,
    Critical,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Self {
        match s {
            SeverityArg::Low => Severity::Low,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::High => Severity::High,
            SeverityArg::Critical => Severity::Critical,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Style {
    Mask,
    Label,
    Placeholder,
    Hash,
    Partial,
}

impl From<Style> for RedactionStyle {
    fn from(s: Style) -> Self {
        match s {
            Style::Mask => RedactionStyle::Mask,
            Style::Label => RedactionStyle::Label,
            Style::Placeholder => RedactionStyle::Placeholder,
            Style::Hash => RedactionStyle::Hash,
            Style::Partial => RedactionStyle::Partial,
        }
    }
}

/// Why the run stopped early.
enum Failure {
    /// Usage, policy or I/O problem: exit 2 with this message.
    Fatal(String),
    /// Standard output was closed (`| head`): stop quietly.
    Closed,
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Failure::Closed
        } else {
            Failure::Fatal(format!("cannot write output: {e}"))
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = run(cli, &mut out).and_then(|code| {
        out.flush()?;
        Ok(code)
    });
    match result {
        Ok(code) => code,
        Err(Failure::Closed) => ExitCode::SUCCESS,
        Err(Failure::Fatal(msg)) => {
            let _ = out.flush();
            eprintln!("govstream: {msg}");
            ExitCode::from(2)
        }
    }
}

fn load_policy(path: Option<&str>, style: Option<Style>) -> Result<Policy, Failure> {
    let mut config = match path {
        None => PolicyConfig::default(),
        Some(p) => {
            let json = std::fs::read_to_string(p)
                .map_err(|e| Failure::Fatal(format!("cannot read policy {p}: {e}")))?;
            PolicyConfig::from_json(&json).map_err(|problems| {
                let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
                Failure::Fatal(format!("invalid policy {p}:\n{}", lines.join("\n")))
            })?
        }
    };
    if let Some(s) = style {
        config.redaction_style = s.into();
    }
    Policy::compile(&config).map_err(|e| {
        let lines: Vec<String> = e.problems().iter().map(|p| format!("  {p}")).collect();
        if lines.is_empty() {
            Failure::Fatal(format!("invalid policy: {e}"))
        } else {
            Failure::Fatal(format!(
                "invalid policy {}:\n{}",
                path.unwrap_or("(default)"),
                lines.join("\n")
            ))
        }
    })
}

fn run(cli: Cli, out: &mut impl Write) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Policy { command } => policy_test::main(command, out),
        Command::Keys { command } => {
            let minting = matches!(command, keys::KeysCommand::New { .. });
            for l in keys::run(command).map_err(Failure::Fatal)? {
                line(out, &l)?;
            }
            if minting {
                eprintln!(
                    "govstream: give the key to its holder now; it is not stored and cannot be shown again"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { policy } => {
            let policy = load_policy(policy.as_deref(), None)?;
            for r in policy.rules() {
                line(out, &r)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            to,
            sink_spec,
            url,
            token,
            secret,
            index,
            outbox,
            timeout,
            input,
            event_types,
            since,
            window,
            now,
        } => {
            let args = export::ExportArgs {
                to,
                sink_spec,
                url,
                token,
                secret,
                index,
                outbox,
                timeout: std::time::Duration::from_secs(timeout),
                input,
                event_types,
                since,
                window,
                now,
            };
            let report = export::export(&args).map_err(Failure::Fatal)?;
            let mut stats = serde_json::to_value(&report.stats).unwrap_or(Value::Null);
            stats["bad_lines"] = json!(report.bad_lines);
            // Stopped early, the rest of the input was never sent: not
            // complete, whatever the sink finished.
            let completed = report.complete && report.stopped_at.is_none();
            stats["completed"] = json!(completed);
            line(out, &stats)?;
            let s = &report.stats;
            let failed = s.dropped_total() > 0
                || s.dead_lettered > 0
                || s.pending > 0
                || report.bad_lines > 0
                || report.stopped_at.is_some();
            Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Classify {
            policy,
            catalog,
            inputs,
        } => {
            let policy = load_policy(policy.as_deref(), None)?;
            let classifier =
                classify::classifier(&policy, catalog.as_deref()).map_err(Failure::Fatal)?;
            for input in classify::inputs(&inputs) {
                line(
                    out,
                    &classify::line(&classifier, &input.map_err(Failure::Fatal)?),
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            source:
                AuditSource::Keycloak {
                    file,
                    utc_offset,
                    org_id,
                },
        } => {
            let report = audit::keycloak(&file, utc_offset.as_deref(), org_id.as_deref())
                .map_err(Failure::Fatal)?;
            for l in &report.lines {
                line(out, l)?;
            }
            eprintln!(
                "govstream: {} audit events, {} problem lines, {} other lines skipped",
                report.events, report.problems, report.skipped
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Stats {
            html,
            title,
            now,
            cap,
            json,
            input,
        } => {
            let (records, bad) = stats::read(input.as_deref()).map_err(Failure::Fatal)?;
            let now = stats::now_ms(now.as_deref(), &records).map_err(Failure::Fatal)?;
            let summary = stats::summarize(&records, now, (cap > 0).then_some(cap));
            if json {
                line(out, &summary)?;
            } else {
                out.write_all(stats::table(&summary).as_bytes())?;
            }
            if let Some(path) = html {
                stats::write_html(&summary, &path, &title).map_err(Failure::Fatal)?;
            }
            Ok(if bad > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Scan(args) => each(&args, None, out, |policy, item, out| {
            let report = policy.scan(&item.text);
            line(out, &ScanLine::new(&item.id, &report))?;
            Ok(worst(
                report.matches.iter().map(|m| m.severity),
                report.scan_truncated,
            ))
        }),
        Command::Evaluate(args) => each(&args, None, out, |policy, item, out| {
            // The line's `id` traces its records back to it.
            let context = item.context.clone().with_input_id(Some(&item.id));
            let d = policy.evaluate(&item.text, &context);
            let worst = worst(d.matches.iter().map(|m| m.severity), d.scan_truncated);
            for r in d.into_records() {
                line(out, &r)?;
            }
            Ok(worst)
        }),
        Command::Redact {
            run,
            style,
            stream: true,
        } => {
            let policy = load_policy(run.policy.as_deref(), style)?;
            let worst = stream::redact(&policy, run.input.as_deref(), out)?;
            let threshold = run.fail_on.map(Severity::from);
            Ok(match (worst, threshold) {
                (Some(w), Some(t)) if w >= t => ExitCode::from(1),
                _ => ExitCode::SUCCESS,
            })
        }
        Command::Redact {
            run,
            style,
            stream: false,
        } => each(&run, style, out, |policy, item, out| {
            let redacted = policy.redact_outcome(&item.text);
            if item.plain {
                out.write_all(redacted.text.as_bytes())?;
            } else {
                let mut record = json!({"id": item.id, "text": redacted.text});
                if redacted.scan_truncated {
                    record["scan_truncated"] = json!(true);
                    record["scanned_length"] = json!(redacted.scanned_length);
                }
                line(out, &record)?;
            }
            if redacted.scan_truncated {
                // The tail is not passed through: say so where a person looks.
                let which = if item.plain {
                    "the input".to_string()
                } else {
                    format!("input id {}", item.id)
                };
                eprintln!(
                    "govstream: {which}: only the first {} characters were scanned; the rest is replaced by [UNSCANNED:<n> bytes] (raise limits.max_scan_bytes to scan more)",
                    redacted.scanned_length
                );
            }
            // Only `--fail-on` reads the worst severity, which takes a
            // second scan: without it, each text is scanned once.
            if run.fail_on.is_none() {
                return Ok(None);
            }
            let report = policy.scan(&item.text);
            Ok(worst(
                report.matches.iter().map(|m| m.severity),
                report.scan_truncated,
            ))
        }),
    }
}

/// The severity `--fail-on` compares: the worst match's, or, for a text not
/// scanned whole, `critical` — an unscanned tail may hold anything, so it
/// reaches every threshold.
fn worst(severities: impl Iterator<Item = Severity>, truncated: bool) -> Option<Severity> {
    if truncated {
        Some(Severity::Critical)
    } else {
        severities.max()
    }
}

/// Runs `f` over every input item; malformed lines become error records and
/// the run goes on, unreadable input stops it (exit 2).
fn each(
    args: &RunArgs,
    style: Option<Style>,
    out: &mut impl Write,
    mut f: impl FnMut(&Policy, &Item, &mut dyn Write) -> Result<Option<Severity>, Failure>,
) -> Result<ExitCode, Failure> {
    let policy = load_policy(args.policy.as_deref(), style)?;
    let source =
        Source::open(args.input.as_deref(), args.plain, args.lossy).map_err(Failure::Fatal)?;
    let threshold = args.fail_on.map(Severity::from);
    let mut reached = false;
    for item in source {
        match item {
            Ok(item) => {
                let worst = f(&policy, &item, out)?;
                if let (Some(t), Some(w)) = (threshold, worst) {
                    reached |= w >= t;
                }
            }
            // A line that was not scanned may hold anything: the gate
            // fails closed.
            Err(Unread::Line(bad)) => {
                line(out, &bad.to_json())?;
                reached |= threshold.is_some();
            }
            Err(Unread::Input(message)) => return Err(Failure::Fatal(message)),
        }
    }
    Ok(if reached {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes one JSON line. Values are serialized directly (not through
/// `serde_json::Value`, which would widen an `f32` confidence to
/// `0.800000011920929`), into memory first: one write per line instead of
/// one per JSON token through `dyn Write`, and a closed standard output is
/// then always an I/O error of the write (stop quietly), never a
/// serialization error.
fn line(out: &mut (impl Write + ?Sized), value: &impl serde::Serialize) -> Result<(), Failure> {
    let mut bytes = Vec::with_capacity(1024);
    serde_json::to_writer(&mut bytes, value).map_err(|e| Failure::Fatal(e.to_string()))?;
    bytes.push(b'\n');
    out.write_all(&bytes)?;
    Ok(())
}
