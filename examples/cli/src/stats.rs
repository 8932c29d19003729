//! `govstream stats`: the admin console's aggregate view of a records file —
//! verdict counts, DLP events, top patterns, the last seven days — as a
//! table for the terminal, and optionally a self-contained HTML report.

use govstream::analytics::{
    Analytics, AnalyticsOptions, AnalyticsSummary, parse_timestamp_ms, render_html,
};
use govstream::schema::Record;
use std::fmt::Write as _;
use std::io::BufRead;

/// Reads records; bad lines are reported on stderr and counted.
pub(crate) fn read(path: Option<&str>) -> Result<(Vec<Record>, usize), String> {
    let reader: Box<dyn BufRead> = match path {
        None | Some("-") => Box::new(std::io::BufReader::new(std::io::stdin())),
        Some(p) => Box::new(std::io::BufReader::new(
            std::fs::File::open(p).map_err(|e| format!("cannot read {p}: {e}"))?,
        )),
    };
    let mut records = Vec::new();
    let mut bad = 0;
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| {
            let name = path.filter(|p| *p != "-");
            format!(
                "cannot read input {} at line {}: {e}",
                name.unwrap_or("standard input"),
                i + 1
            )
        })?;
        if line.trim().is_empty() {
            continue;
        }
        match Record::from_json_line(&line) {
            Ok(r) => records.push(r),
            Err(e) => {
                bad += 1;
                eprintln!("govstream: line {}: not a record, skipped: {e}", i + 1);
            }
        }
    }
    Ok((records, bad))
}

/// `--now`: an RFC 3339 time, `latest` (the newest record's time), or the
/// current time when absent.
pub(crate) fn now_ms(now: Option<&str>, records: &[Record]) -> Result<i64, String> {
    match now {
        None => Ok(govstream::clock::now_ms()),
        Some("latest") => Ok(records
            .iter()
            .filter_map(|r| parse_timestamp_ms(record_time(r)))
            .max()
            .unwrap_or_else(govstream::clock::now_ms)),
        Some(t) => parse_timestamp_ms(t)
            .ok_or_else(|| format!("--now: `{t}` is not an RFC 3339 time or `latest`")),
    }
}

fn record_time(r: &Record) -> &str {
    match r {
        Record::Event(e) => &e.timestamp,
        Record::DlpMatch(m) => &m.timestamp,
        Record::ShadowAiEvent(e) => &e.timestamp,
        Record::ShadowAiFinding(f) => &f.last_seen,
        Record::AuditEvent(a) => &a.date_time,
    }
}

pub(crate) fn summarize(records: &[Record], now_ms: i64, cap: Option<usize>) -> AnalyticsSummary {
    let options = AnalyticsOptions {
        scan_cap: cap,
        ..AnalyticsOptions::default()
    };
    Analytics::summarize(records, now_ms, options)
}

/// The terminal table.
pub(crate) fn table(s: &AnalyticsSummary) -> String {
    let mut o = String::new();
    let v = &s.verdicts;
    let _ = writeln!(
        o,
        "govstream stats — {} events, {} DLP matches (as of {})",
        s.events, s.dlp_matches, s.generated_at
    );
    if s.capped {
        let _ = writeln!(
            o,
            "  scan capped at the newest {} events: {} older events and {} matches not counted",
            s.scan_cap.unwrap_or_default(),
            s.events_skipped,
            s.dlp_matches_skipped
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "verdicts    allow {:>7}  warn {:>7}  redact {:>7}  escalate {:>7}  block {:>7}",
        v.allow, v.warn, v.redact, v.escalate, v.block
    );
    let _ = writeln!(
        o,
        "DLP         events {:>6}  blocked by DLP {:>6}  high or above {:>6}  critical {:>6}",
        s.dlp_events, s.blocked_by_dlp, s.high_or_above_events, s.critical_events
    );
    let _ = writeln!(o);
    let _ = writeln!(o, "top patterns");
    if s.top_patterns.is_empty() {
        let _ = writeln!(o, "  (none)");
    }
    for p in &s.top_patterns {
        let _ = writeln!(
            o,
            "  {:>7}  {:<8}  {:<36}  {}",
            p.count,
            p.max_severity.as_str(),
            p.rule_id,
            p.rule_name
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "last 7 days (UTC)   allow    warn  redact escalate   block   DLP"
    );
    for d in &s.daily {
        let b = &d.verdicts;
        let _ = writeln!(
            o,
            "  {:<12} {:>9} {:>7} {:>7} {:>8} {:>7} {:>5}",
            d.date, b.allow, b.warn, b.redact, b.escalate, b.block, d.dlp_events
        );
    }
    o
}

/// Writes the HTML report to `path`.
pub(crate) fn write_html(s: &AnalyticsSummary, path: &str, title: &str) -> Result<(), String> {
    std::fs::write(path, render_html(s, title)).map_err(|e| format!("cannot write {path}: {e}"))
}
