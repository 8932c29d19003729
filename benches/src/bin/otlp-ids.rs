//! Counts what reached the end of the collector tier
//! (`benches/scale/run.sh`): reads the file exporter's output (one OTLP/JSON
//! request per line) and the emitters' lists of delivered event ids, and
//! prints one JSON line: records sent, records received, and the ids
//! missing, duplicated or never sent. Exits 1 when any was missing or
//! unexpected.
//!
//! `otlp-ids RECEIVED_FILE SENT_IDS_FILE...`

use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((received, sent)) = args.split_first().filter(|(_, s)| !s.is_empty()) else {
        eprintln!("usage: otlp-ids RECEIVED_FILE SENT_IDS_FILE...");
        return ExitCode::from(2);
    };
    match count(received, sent) {
        Ok(clean) if clean => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("otlp-ids: {e}");
            ExitCode::from(2)
        }
    }
}

fn lines(path: &str) -> Result<impl Iterator<Item = Result<String, String>>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let path = path.to_string();
    Ok(std::io::BufReader::new(file)
        .lines()
        .map(move |l| l.map_err(|e| format!("{path}: {e}"))))
}

/// The `log.record.uid` (govstream's event id) of every log record in one
/// OTLP/JSON logs request.
fn uids(request: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let list = |v: &Value, key: &str| v[key].as_array().cloned().unwrap_or_default();
    for rl in list(request, "resourceLogs") {
        for sl in list(&rl, "scopeLogs") {
            for lr in list(&sl, "logRecords") {
                let uid = list(&lr, "attributes")
                    .into_iter()
                    .find(|a| a["key"] == "log.record.uid")
                    .and_then(|a| a["value"]["stringValue"].as_str().map(str::to_string));
                out.push(uid.unwrap_or_default());
            }
        }
    }
    out
}

fn count(received: &str, sent: &[String]) -> Result<bool, String> {
    // id -> (times sent, times received)
    let mut seen: HashMap<String, (u32, u32)> = HashMap::new();
    let mut sent_total = 0u64;
    for path in sent {
        for line in lines(path)? {
            seen.entry(line?).or_default().0 += 1;
            sent_total += 1;
        }
    }
    let mut received_total = 0u64;
    for (n, line) in lines(received)?.enumerate() {
        let line = line?;
        let request: Value =
            serde_json::from_str(&line).map_err(|e| format!("{received}: line {}: {e}", n + 1))?;
        for uid in uids(&request) {
            seen.entry(uid).or_default().1 += 1;
            received_total += 1;
        }
    }
    let missing = seen.values().filter(|(s, r)| *s > 0 && *r == 0).count();
    let duplicated = seen.values().filter(|(s, r)| *s > 0 && r > s).count();
    let unexpected = seen.values().filter(|(s, _)| *s == 0).count();
    let line = serde_json::json!({
        "sent": sent_total,
        "received": received_total,
        "distinct_sent": seen.values().filter(|(s, _)| *s > 0).count(),
        "missing": missing,
        "duplicated": duplicated,
        "unexpected": unexpected,
    });
    writeln!(std::io::stdout(), "{line}").map_err(|e| e.to_string())?;
    Ok(missing == 0 && unexpected == 0)
}
