//! `govstream export`: delivers records written by `govstream evaluate`
//! through the real pipeline to one SIEM target — the batch-export path for
//! SIEMs that prefer file ingest, or a one-off backfill.

use govstream::pipeline::driver::{Completion, Driver, DriverOptions, EmitError};
use govstream::pipeline::encode::{
    AzureLogsConfig, AzureLogsEncoder, CefConfig, CefEncoder, ElasticsearchAuth,
    ElasticsearchBulkConfig, ElasticsearchBulkEncoder, Encoder, JsonLinesEncoder, OtlpLogsConfig,
    OtlpLogsEncoder, SplunkHecConfig, SplunkHecEncoder, SyslogConfig, SyslogEncoder, WebhookConfig,
    WebhookEncoder,
};
use govstream::pipeline::outbox::OutboxConfig;
use govstream::pipeline::{Destination, OverflowPolicy, Pipeline, SinkConfig, SinkSpec, SinkStats};
use govstream::schema::Record;
use std::io::{BufRead, BufReader};
use std::time::Duration;

/// The targets `--to` accepts.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub(crate) enum Target {
    Jsonl,
    Webhook,
    SplunkHec,
    Elasticsearch,
    AzureLogs,
    Otlp,
    Syslog,
    Cef,
}

/// Everything `export` was given. Secrets are only ever read, never printed.
pub(crate) struct ExportArgs {
    pub(crate) to: Target,
    pub(crate) url: Option<String>,
    pub(crate) token: Option<String>,
    pub(crate) secret: Option<String>,
    pub(crate) index: String,
    pub(crate) outbox: Option<String>,
    pub(crate) timeout: Duration,
    pub(crate) input: Option<String>,
}

/// The result of an export: the sink's stats and the input lines skipped.
pub(crate) struct ExportReport {
    pub(crate) stats: SinkStats,
    pub(crate) bad_lines: usize,
    pub(crate) completion: Completion,
    /// The line at which the export stopped because the target took no
    /// record within `--timeout`; that line and the rest were not sent.
    pub(crate) stopped_at: Option<usize>,
}

/// Builds the sink for `args`; errors are usage errors (exit 2).
fn sink(args: &ExportArgs) -> Result<(Box<dyn Encoder>, Destination), String> {
    let url = || {
        args.url
            .clone()
            .ok_or_else(|| format!("--to {:?} needs --url", args.to).to_lowercase())
    };
    let token = || {
        args.token
            .clone()
            .ok_or_else(|| "this target needs --token (or GOVSTREAM_TOKEN)".to_string())
    };
    // A rejected --url is described, never repeated: it may hold a
    // password or a token.
    let tcp = |u: String| {
        Destination::tcp(&u).ok_or_else(|| {
            "--url: expected tcp://HOST:PORT with a port from 1 to 65535 and no user info"
                .to_string()
        })
    };
    let http = |u: String| {
        Destination::http(&u)
            .ok_or_else(|| "--url: expected an http:// or https:// URL with a host".to_string())
    };
    let err = |e: govstream::Error| e.to_string();
    Ok(match args.to {
        Target::Jsonl => (
            Box::new(JsonLinesEncoder::new()),
            Destination::File {
                path: url()?,
                max_bytes: u64::MAX,
                keep: 0,
            },
        ),
        Target::Webhook => {
            let secret = args
                .secret
                .clone()
                .ok_or("--to webhook needs --secret (or GOVSTREAM_SECRET)")?;
            (
                Box::new(WebhookEncoder::new(WebhookConfig::new(secret)).map_err(err)?),
                http(url()?)?,
            )
        }
        Target::SplunkHec => (
            Box::new(SplunkHecEncoder::new(SplunkHecConfig::new(token()?))),
            http(url()?)?,
        ),
        Target::Elasticsearch => {
            let auth = args
                .token
                .clone()
                .map_or(ElasticsearchAuth::None, ElasticsearchAuth::ApiKey);
            (
                Box::new(ElasticsearchBulkEncoder::new(ElasticsearchBulkConfig::new(
                    args.index.clone(),
                    auth,
                ))),
                http(url()?)?,
            )
        }
        Target::AzureLogs => (
            Box::new(AzureLogsEncoder::new(AzureLogsConfig::new(token()?))),
            http(url()?)?,
        ),
        Target::Otlp => {
            let mut config = OtlpLogsConfig::default();
            if let Some(t) = &args.token {
                config
                    .headers
                    .push(("authorization".into(), format!("Bearer {t}")));
            }
            (Box::new(OtlpLogsEncoder::new(config)), http(url()?)?)
        }
        Target::Syslog => (
            Box::new(SyslogEncoder::new(SyslogConfig::default()).map_err(err)?),
            tcp(url()?)?,
        ),
        Target::Cef => (
            Box::new(CefEncoder::new(CefConfig::default())),
            tcp(url()?)?,
        ),
    })
}

/// Records queued per sink at most. A batch export waits for room instead
/// of dropping (`OverflowPolicy::Block`), so a deeper queue would only hold
/// more of the file in memory: a few batches keep the sink busy.
const QUEUE_CAPACITY: usize = 4_000;

/// Runs the export. `Err` is a usage or setup error (exit 2).
pub(crate) fn export(args: &ExportArgs) -> Result<ExportReport, String> {
    let (encoder, destination) = sink(args)?;
    // A backfill must not lose records because it reads faster than the
    // target answers: the reader waits for room (up to --timeout per
    // record) rather than dropping as `queue_full`.
    let config = SinkConfig {
        max_wait_ms: 200,
        max_attempts: 8,
        max_backoff_ms: 5_000,
        queue_capacity: QUEUE_CAPACITY,
        overflow: OverflowPolicy::Block,
        ..SinkConfig::named(&format!("{:?}", args.to).to_lowercase())
    };
    let pipeline = Pipeline::new(vec![SinkSpec::new(config, encoder, destination)], seed())
        .map_err(|e| e.to_string())?;
    let options = DriverOptions {
        outbox: args.outbox.as_ref().map(OutboxConfig::new),
        ..DriverOptions::default()
    };
    let driver = Driver::start(pipeline, options).map_err(|e| e.to_string())?;
    let mut reader: Box<dyn BufRead> = match args.input.as_deref() {
        None | Some("-") => Box::new(BufReader::new(std::io::stdin())),
        Some(p) => Box::new(BufReader::new(
            std::fs::File::open(p).map_err(|e| format!("cannot read input {p}: {e}"))?,
        )),
    };
    let mut bad_lines = 0;
    let mut stopped_at = None;
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
            Ok(record) => match driver.emit_wait(&record, args.timeout) {
                Ok(()) => {}
                Err(EmitError::Full(_)) => {
                    eprintln!(
                        "govstream: line {n}: the target took no record for {} s; stopped, lines {n} on were not exported",
                        args.timeout.as_secs()
                    );
                    stopped_at = Some(n);
                    break;
                }
                Err(e) => return Err(format!("line {n}: cannot queue the record: {e}")),
            },
            Err(e) => {
                bad_lines += 1;
                eprintln!("govstream: line {n}: not a record, skipped: {e}");
            }
        }
    }
    let (completion, mut stats) = driver.shutdown(args.timeout);
    Ok(ExportReport {
        stats: stats.pop().unwrap_or_default(),
        bad_lines,
        completion,
        stopped_at,
    })
}

fn seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
}
