//! One emitting process of the collector-tier measurement
//! (`benches/scale/run.sh`, docs/scale.md): evaluates prompts cut from real
//! text on this machine with the default policy and sends the records over
//! OTLP/HTTP through a driver of its own, waiting for room instead of
//! dropping, until RECORDS records are sent and acknowledged. Writes the
//! event id of every record it was told is delivered to IDS_FILE, one per
//! line, and prints one JSON line of figures.
//!
//! `emit-otlp URL RECORDS EMITTER IDS_FILE`

use govstream::pipeline::driver::{Completion, Driver, DriverOptions};
use govstream::pipeline::encode::{OtlpLogsConfig, OtlpLogsEncoder};
use govstream::pipeline::{Destination, OverflowPolicy, Pipeline, SinkConfig, SinkSpec};
use govstream::policy::{EvaluationContext, Policy};
use govstream_benches::real_text;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, records, emitter, ids] = args.as_slice() else {
        eprintln!("usage: emit-otlp URL RECORDS EMITTER IDS_FILE");
        return ExitCode::from(2);
    };
    let (Ok(records), Ok(emitter)) = (records.parse::<usize>(), emitter.parse::<usize>()) else {
        eprintln!("emit-otlp: RECORDS and EMITTER must be whole numbers");
        return ExitCode::from(2);
    };
    match run(url, records, emitter, ids) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("emit-otlp {emitter}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(url: &str, records: usize, emitter: usize, ids_path: &str) -> Result<(), String> {
    let prompts = real_text::prompts(1024)
        .ok_or("no real text on this machine (see benches/src/real_text.rs)")?;
    let policy = Policy::default_policy().map_err(|e| e.to_string())?;
    let sink = SinkSpec::new(
        SinkConfig {
            overflow: OverflowPolicy::Block,
            max_batch_records: 1_000,
            max_wait_ms: 100,
            max_in_flight: 4,
            // Retry for as long as it takes: a lost record is the failure
            // this measurement looks for.
            max_attempts: 0,
            max_backoff_ms: 2_000,
            ..SinkConfig::named("otlp")
        },
        Box::new(OtlpLogsEncoder::new(OtlpLogsConfig::default())),
        Destination::Http {
            url: url.to_string(),
        },
    );
    let pipeline = Pipeline::new(vec![sink], 1).map_err(|e| e.to_string())?;
    let driver = Driver::start(pipeline, DriverOptions::default()).map_err(|e| e.to_string())?;
    let mut ids = Vec::with_capacity(records);
    let started = Instant::now();
    'prompts: for (i, prompt) in prompts.iter().cycle().enumerate() {
        let mut ctx = EvaluationContext::default();
        ctx.identity.user_id = Some(format!("u-{emitter}-{}", i % 500));
        ctx.tool.model = Some("gpt-4o".into());
        for record in policy.evaluate(prompt, &ctx).records() {
            if ids.len() == records {
                break 'prompts;
            }
            driver
                .emit_wait(&record, Duration::from_secs(300))
                .map_err(|e| format!("record {}: {e}", ids.len()))?;
            ids.push(record.event_id().to_string());
        }
    }
    let (done, stats) = driver.shutdown(Duration::from_secs(600));
    let seconds = started.elapsed().as_secs_f64();
    if done != Completion::Done {
        return Err(format!("not every record was delivered: {stats:?}"));
    }
    let delivered = stats.first().map_or(0, |s| s.delivered);
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(ids_path).map_err(|e| format!("{ids_path}: {e}"))?,
    );
    for id in &ids {
        writeln!(out, "{id}").map_err(|e| format!("{ids_path}: {e}"))?;
    }
    out.flush().map_err(|e| format!("{ids_path}: {e}"))?;
    let line = serde_json::json!({
        "emitter": emitter,
        "records": ids.len(),
        "delivered": delivered,
        "seconds": seconds,
        "records_per_second": ids.len() as f64 / seconds,
    });
    writeln!(std::io::stdout(), "{line}").map_err(|e| e.to_string())?;
    Ok(())
}
