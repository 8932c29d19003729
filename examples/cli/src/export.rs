//! `govstream export`: delivers records written by `govstream evaluate`
//! through the real pipeline to one SIEM target — the batch-export path for
//! SIEMs that prefer file ingest, or a one-off backfill. `--event-types`
//! and `--since` / `--window` choose which records go; `--to json` writes
//! them as one JSON array file instead (see `export_file`).

use govstream::api::{ApiError, ErrorKind, PipelineHandle, Sink, StartOptions};
use govstream::pipeline::outbox::OutboxConfig;
use govstream::pipeline::{OverflowPolicy, SinkStats};
use govstream::schema::Record;
use govstream::select::{EventTypes, TimeWindow, parse_duration_ms, parse_time_ms};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::time::Duration;

/// The targets `--to` accepts: every network and file kind of the core's
/// sink catalog (`memory` and `callback` live in a process).
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub(crate) enum Target {
    /// One JSON array file (`--url PATH`), written whole at the end.
    Json,
    Jsonl,
    Http,
    Webhook,
    /// Also spelled as the catalog's kind, `splunk_hec`.
    #[value(alias = "splunk_hec")]
    SplunkHec,
    Elasticsearch,
    /// Also spelled as the catalog's kind, `azure_logs`.
    #[value(alias = "azure_logs")]
    AzureLogs,
    Otlp,
    Syslog,
    Cef,
    Ocsf,
}

impl Target {
    /// The catalog's `kind`.
    fn kind(self) -> &'static str {
        match self {
            // Not a catalog sink: `export_file` writes it.
            Target::Json => "json",
            Target::Jsonl => "jsonl",
            Target::Http => "http",
            Target::Webhook => "webhook",
            Target::SplunkHec => "splunk_hec",
            Target::Elasticsearch => "elasticsearch",
            Target::AzureLogs => "azure_logs",
            Target::Otlp => "otlp",
            Target::Syslog => "syslog",
            Target::Cef => "cef",
            Target::Ocsf => "ocsf",
        }
    }
}

/// Everything `export` was given. Secrets are only ever read, never printed.
pub(crate) struct ExportArgs {
    /// The target, when given by flags.
    pub(crate) to: Option<Target>,
    /// A sink catalog entry (JSON file), instead of `--to` and its flags.
    pub(crate) sink_spec: Option<String>,
    pub(crate) url: Option<String>,
    pub(crate) token: Option<String>,
    pub(crate) secret: Option<String>,
    pub(crate) index: String,
    pub(crate) outbox: Option<String>,
    pub(crate) timeout: Duration,
    pub(crate) input: Option<String>,
    /// `--event-types` globs; empty takes every type.
    pub(crate) event_types: Vec<String>,
    /// `--since`, RFC 3339.
    pub(crate) since: Option<String>,
    /// `--window`, a duration such as `24h`.
    pub(crate) window: Option<String>,
    /// `--now`, RFC 3339: the end of the window (default: the clock).
    pub(crate) now: Option<String>,
}

/// Which records an export takes: by type name and by time.
pub(crate) struct Selection {
    pub(crate) event_types: EventTypes,
    pub(crate) window: TimeWindow,
}

/// What the selection says of one record.
pub(crate) enum Verdict {
    Take,
    /// Outside the type names or the window: counted as filtered.
    Leave,
    /// A window is set and the record's time is not RFC 3339.
    NoTime,
}

impl Selection {
    /// The selection the flags describe; errors name the flag.
    pub(crate) fn from_args(args: &ExportArgs) -> Result<Selection, String> {
        let event_types =
            EventTypes::parse(&args.event_types, "--event-types").map_err(|e| match e {
                govstream::Error::Validation { problems, .. } => problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.to_string(),
            })?;
        let now = match &args.now {
            Some(t) => parse_time_ms(t)
                .ok_or("--now: expected an RFC 3339 time such as 2026-12-07T00:00:00Z")?,
            None => govstream::clock::now_ms(),
        };
        let window = match (&args.since, &args.window) {
            (Some(since), _) => TimeWindow {
                since_ms: Some(
                    parse_time_ms(since)
                        .ok_or("--since: expected an RFC 3339 time such as 2026-12-06T00:00:00Z")?,
                ),
                until_ms: Some(now),
            },
            (None, Some(window)) => {
                let ms = parse_duration_ms(window).map_err(|e| format!("--window: {e}"))?;
                TimeWindow::last(ms, now)
            }
            (None, None) if args.now.is_some() => {
                return Err("--now sets the end of --since or --window; give one of them".into());
            }
            (None, None) => TimeWindow::default(),
        };
        Ok(Selection {
            event_types,
            window,
        })
    }

    /// Whether to take `record`. Type names are checked here only when
    /// `by_type` (a pipeline sink checks its own `event_types`).
    pub(crate) fn judge(&self, record: &Record, by_type: bool) -> Verdict {
        match self.window.contains(record) {
            None => Verdict::NoTime,
            Some(false) => Verdict::Leave,
            Some(true) if by_type && !self.event_types.matches(record) => Verdict::Leave,
            Some(true) => Verdict::Take,
        }
    }
}

/// The result of an export: the sink's stats and the input lines skipped.
pub(crate) struct ExportReport {
    pub(crate) stats: SinkStats,
    pub(crate) bad_lines: usize,
    /// True when nothing was left pending at the end.
    pub(crate) complete: bool,
    /// The line at which the export stopped because the target took no
    /// record within `--timeout`; that line and the rest were not sent.
    pub(crate) stopped_at: Option<usize>,
}

/// The sink for `args`, from the core's catalog: `--sink-spec`'s entry as
/// written, or the `--to` flags as the catalog's fields. Errors are usage
/// errors (exit 2) that name the flag or JSON path, never a value.
fn sink(args: &ExportArgs) -> Result<Sink, String> {
    if let Some(path) = &args.sink_spec {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read --sink-spec {path}: {e}"))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| format!("--sink-spec {path}: invalid JSON: {e}"))?;
        return Sink::from_value(value, "$").map_err(|e| format!("--sink-spec {path}: {e}"));
    }
    let Some(to) = args.to else {
        return Err("give --to TARGET (with its flags) or --sink-spec FILE".into());
    };
    let kind = to.kind();
    let mut fields = Map::new();
    let mut put = |field: &str, value: Option<&String>| {
        if let Some(v) = value {
            fields.insert(field.into(), Value::String(v.clone()));
        }
    };
    let url = args.url.as_ref();
    let token = args.token.as_ref();
    match to {
        // `export_file` writes it; `export` never gets here with it.
        Target::Json => return Err("--to json is not a pipeline sink".into()),
        // The file the user names is written whole: no rotation.
        Target::Jsonl => {
            put("path", url);
            fields.insert("max_bytes".into(), json!(u64::MAX));
        }
        Target::Http => put("url", url),
        Target::Webhook => {
            put("url", url);
            put("secret", args.secret.as_ref());
        }
        Target::SplunkHec => {
            put("url", url);
            put("token", token);
        }
        Target::Elasticsearch => {
            put("url", url);
            put("index", Some(&args.index));
            put("api_key", token);
        }
        Target::AzureLogs => {
            put("url", url);
            put("bearer_token", token);
        }
        Target::Otlp => {
            put("url", url);
            put("token", token);
        }
        Target::Syslog | Target::Cef => put("address", url),
        Target::Ocsf => {
            put("url", url);
            let bearer = token.map(|t| format!("Bearer {t}"));
            put("authorization", bearer.as_ref());
        }
    }
    fields.insert("kind".into(), Value::String(kind.into()));
    fields.insert("name".into(), Value::String(kind.into()));
    let built = Sink::from_value(Value::Object(fields), "$");
    built.map_err(|e| flag_error(kind, &e))
}

/// An API error about a catalog field, said with the flag that fills it.
fn flag_error(kind: &str, e: &ApiError) -> String {
    // serde names a missing field in its message, not its path.
    let missing = e
        .message
        .split_once("missing field `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(field, _)| field);
    let path = e
        .location
        .as_deref()
        .or_else(|| e.problems.first().map(|p| p.path.as_str()))
        .unwrap_or("$");
    let field = missing.unwrap_or_else(|| path.trim_start_matches("$."));
    let flag = match field {
        "url" | "path" | "address" => "--url",
        "token" | "api_key" | "bearer_token" | "authorization" => "--token (or GOVSTREAM_TOKEN)",
        "secret" => "--secret (or GOVSTREAM_SECRET)",
        "index" => "--index",
        f if f.starts_with("options.event_types") => "--event-types",
        _ => "",
    };
    // A missing field: the flag the target needs.
    if e.kind == ErrorKind::Input && missing.is_some() {
        return format!("--to {} needs {flag}", kind.replace('_', "-"));
    }
    let message = e
        .problems
        .first()
        .map_or(e.message.as_str(), |p| p.message.as_str());
    if flag.is_empty() {
        e.message.clone()
    } else {
        format!("{flag}: {message}")
    }
}

/// Records queued per sink at most. A batch export waits for room instead
/// of dropping (`OverflowPolicy::Block`), so a deeper queue would only hold
/// more of the file in memory: a few batches keep the sink busy.
const QUEUE_CAPACITY: usize = 4_000;

/// Runs the export. `Err` is a usage or setup error (exit 2).
pub(crate) fn export(args: &ExportArgs) -> Result<ExportReport, String> {
    let selection = Selection::from_args(args)?;
    if matches!(args.to, Some(Target::Json)) {
        return crate::export_file::export(args, &selection);
    }
    let mut sink = sink(args)?;
    // A backfill must not lose records because it reads faster than the
    // target answers: the reader waits for room (up to --timeout per
    // record) rather than dropping as `queue_full`. Options the spec gives
    // are kept; flags get the batch-export settings.
    if args.sink_spec.is_none() {
        let o = sink.options_mut();
        o.max_wait_ms = 200;
        o.max_attempts = 8;
        o.max_backoff_ms = 5_000;
        o.queue_capacity = QUEUE_CAPACITY;
    }
    sink.options_mut().overflow = OverflowPolicy::Block;
    // The sink's own subscription filters by type and counts what it
    // leaves out; the flag replaces a spec's.
    if !args.event_types.is_empty() {
        sink.options_mut().event_types = args.event_types.clone();
    }
    let name = sink.name().to_string();
    let built = sink.build().map_err(|e| match &args.sink_spec {
        Some(path) => format!("--sink-spec {path}: {e}"),
        None => flag_error(sink.kind(), &e),
    })?;
    let options = StartOptions {
        outbox: args.outbox.as_ref().map(OutboxConfig::new),
        ..StartOptions::default()
    };
    let handle = PipelineHandle::start_built(vec![built], options, HashMap::new())
        .map_err(|e| e.to_string())?;
    let mut outside_window = 0;
    let mut stopped_at = None;
    let bad_lines = for_each_record(args, |n, record| {
        match selection.judge(&record, false) {
            Verdict::Take => {}
            Verdict::Leave => {
                outside_window += 1;
                return Ok(Flow::Next);
            }
            Verdict::NoTime => return Ok(Flow::Bad),
        }
        match handle.emit(std::slice::from_ref(&record), args.timeout) {
            Ok(()) => Ok(Flow::Next),
            Err(e) if e.kind == ErrorKind::Full => {
                eprintln!(
                    "govstream: line {n}: the target took no record for {} s; stopped, lines {n} on were not exported",
                    args.timeout.as_secs()
                );
                stopped_at = Some(n);
                Ok(Flow::Stop)
            }
            Err(e) => Err(format!("line {n}: cannot queue the record: {e}")),
        }
    })?;
    let report = handle.close(args.timeout);
    let mut stats = report
        .stats
        .iter()
        .find(|s| s.sink == name)
        .cloned()
        .unwrap_or_default();
    // Outside the window is left out like outside the sink's types.
    stats.filtered += outside_window;
    Ok(ExportReport {
        stats,
        bad_lines,
        complete: report.flush.complete,
        stopped_at,
    })
}

/// What to do after one record.
pub(crate) enum Flow {
    Next,
    /// Count the line as bad (its time cannot be read) and go on.
    Bad,
    /// Stop reading.
    Stop,
}

/// Calls `take` with each record of the input and its line number; returns
/// how many lines were skipped as bad (not UTF-8, not a record, or
/// judged [`Flow::Bad`]), each reported on standard error.
pub(crate) fn for_each_record(
    args: &ExportArgs,
    mut take: impl FnMut(usize, Record) -> Result<Flow, String>,
) -> Result<usize, String> {
    let mut reader: Box<dyn BufRead> = match args.input.as_deref() {
        None | Some("-") => Box::new(BufReader::new(std::io::stdin())),
        Some(p) => Box::new(BufReader::new(
            std::fs::File::open(p).map_err(|e| format!("cannot read input {p}: {e}"))?,
        )),
    };
    let mut bad_lines = 0;
    let mut bytes = Vec::new();
    for n in 1.. {
        bytes.clear();
        // Bytes, not `lines()`: a line that is not UTF-8 is one bad line,
        // skipped and counted like malformed JSON, not the end of the run.
        match reader.read_until(b'\n', &mut bytes) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                let name = args.input.as_deref().filter(|p| *p != "-");
                return Err(format!(
                    "cannot read input {} at line {n}: {e}",
                    name.unwrap_or("standard input")
                ));
            }
        }
        let line = match std::str::from_utf8(&bytes) {
            Ok(line) => line,
            Err(e) => {
                bad_lines += 1;
                eprintln!(
                    "govstream: line {n}: not valid UTF-8 at byte {}, skipped",
                    e.valid_up_to()
                );
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        match Record::from_json_line(line) {
            Ok(record) => match take(n, record)? {
                Flow::Next => {}
                Flow::Bad => {
                    bad_lines += 1;
                    eprintln!(
                        "govstream: line {n}: the record's time is not RFC 3339, so no window can hold it; skipped"
                    );
                }
                Flow::Stop => break,
            },
            Err(e) => {
                bad_lines += 1;
                eprintln!("govstream: line {n}: not a record, skipped: {e}");
            }
        }
    }
    Ok(bad_lines)
}
