//! `report-receiver`: serves `POST /v1/shadow-ai/report` on loopback (or
//! any address given), checking API keys from a key-store file and
//! delivering the reports through the pipeline a spec file describes.
//!
//! ```text
//! report-receiver --keys keys.json --pipeline pipeline.json [--policy policy.json]
//!                 [--listen 127.0.0.1:8787] [--max-body-bytes 1048576] [--request-timeout-ms 10000]
//! ```
//!
//! Prints `listening on http://ADDR` on standard output once bound, then
//! one log line per request on standard error. Exit 2 when a file is bad.

use clap::Parser;
use govstream::api::{CompiledPolicy, PipelineHandle, PipelineSpec};
use govstream::ingest::ReportReceiver;
use govstream::keys::KeyStore;
use govstream_report_receiver::{Config, Server};
use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "report-receiver",
    version,
    about = "Receive shadow-AI reports with API keys"
)]
struct Args {
    /// Key-store file (`govstream keys new --store FILE` writes it).
    #[arg(long)]
    keys: String,
    /// Pipeline spec file: the sinks the events go to (docs/sinks.md).
    #[arg(long)]
    pipeline: String,
    /// Policy file whose `ai_tools` lists classify reported hosts; the
    /// built-in policy without it.
    #[arg(long)]
    policy: Option<String>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: String,
    /// Largest body accepted, in bytes.
    #[arg(long, default_value_t = govstream::ingest::DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
    /// Time a client has to send its whole request, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    request_timeout_ms: u64,
    /// Connections served at once; more are answered 503.
    #[arg(long, default_value_t = 64)]
    max_connections: usize,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("report-receiver: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let keys = KeyStore::load(std::path::Path::new(&args.keys)).map_err(|e| e.to_string())?;
    let policy = match &args.policy {
        None => CompiledPolicy::default_policy().map_err(|e| e.message)?,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read policy {path}: {e}"))?;
            CompiledPolicy::from_json(&text).map_err(|e| format!("policy {path}: {}", e.message))?
        }
    };
    let spec_text = std::fs::read_to_string(&args.pipeline)
        .map_err(|e| format!("cannot read pipeline spec {}: {e}", args.pipeline))?;
    let spec = PipelineSpec::from_json(&spec_text)
        .map_err(|e| format!("pipeline spec {}: {}", args.pipeline, e.message))?;
    let pipeline = Arc::new(
        PipelineHandle::start(&spec, HashMap::new())
            .map_err(|e| format!("pipeline spec {}: {}", args.pipeline, e.message))?,
    );
    let receiver = ReportReceiver::new(keys, policy).with_max_body_bytes(args.max_body_bytes);
    let config = Config {
        request_timeout: Duration::from_millis(args.request_timeout_ms),
        max_connections: args.max_connections,
        ..Config::default()
    };
    let server = Server::bind(&args.listen, receiver, Arc::clone(&pipeline), config)
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = server.local_addr().map_err(|e| e.to_string())?;
    let mut out = std::io::stdout();
    writeln!(out, "listening on http://{addr}")
        .and_then(|()| out.flush())
        .map_err(|e| e.to_string())?;
    let served = server.run().map_err(|e| e.to_string());
    pipeline.close(Duration::from_secs(10));
    served
}
