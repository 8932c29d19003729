//! `govstream export --to json --url FILE`: the chosen records as one JSON
//! array file, for SIEMs that ingest files on a schedule (seed 001's
//! `kt export create --format json --window 24h`, run from cron).
//!
//! The array is written to a temporary file beside `FILE` and renamed over
//! it only when complete, so a collector watching the directory never reads
//! half an export, and a failed run leaves the previous file as it was.

use crate::export::{ExportArgs, ExportReport, Flow, Selection, Verdict, for_each_record};
use govstream::pipeline::SinkStats;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes the selected records of the input to `--url` as one JSON array,
/// one record per line between the brackets.
pub(crate) fn export(args: &ExportArgs, selection: &Selection) -> Result<ExportReport, String> {
    let Some(path) = args.url.as_deref() else {
        return Err("--to json needs --url (the file to write)".into());
    };
    if args.outbox.is_some() {
        return Err(
            "--outbox does not apply to --to json: the file is written whole or not at all".into(),
        );
    }
    let path = Path::new(path);
    let temp = temp_path(path);
    let written = write_array(args, selection, &temp);
    let (stats, bad_lines) = match written {
        Ok(done) => done,
        Err(e) => {
            // Best effort: the partial file is ours and useless.
            let _ = std::fs::remove_file(&temp);
            return Err(e);
        }
    };
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        format!("cannot write {}: {e}", path.display())
    })?;
    Ok(ExportReport {
        stats,
        bad_lines,
        complete: true,
        stopped_at: None,
    })
}

/// `DIR/.NAME.<pid>.tmp`: same directory (so the rename is atomic), hidden
/// from collectors that match `*.json`.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "export".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

fn write_array(
    args: &ExportArgs,
    selection: &Selection,
    temp: &Path,
) -> Result<(SinkStats, usize), String> {
    let file = std::fs::File::create(temp)
        .map_err(|e| format!("cannot create {}: {e}", temp.display()))?;
    let mut out = BufWriter::new(file);
    let io = |e: std::io::Error| format!("cannot write {}: {e}", temp.display());
    let mut stats = SinkStats {
        sink: "json".into(),
        ..SinkStats::default()
    };
    out.write_all(b"[").map_err(io)?;
    let bad_lines = for_each_record(args, |n, record| {
        match selection.judge(&record, true) {
            Verdict::Take => {}
            Verdict::Leave => {
                stats.filtered += 1;
                return Ok(Flow::Next);
            }
            Verdict::NoTime => return Ok(Flow::Bad),
        }
        stats.emitted += 1;
        let line = match record.to_json_line() {
            Ok(line) => line,
            Err(e) => {
                // As a pipeline sink counts it: dropped, and the run fails.
                *stats.dropped.entry("encode_error".into()).or_default() += 1;
                eprintln!("govstream: line {n}: cannot write the record: {e}");
                return Ok(Flow::Next);
            }
        };
        let separator: &[u8] = if stats.delivered == 0 { b"\n" } else { b",\n" };
        out.write_all(separator).map_err(io)?;
        out.write_all(line.as_bytes()).map_err(io)?;
        stats.delivered += 1;
        Ok(Flow::Next)
    })?;
    out.write_all(if stats.delivered == 0 {
        b"]\n"
    } else {
        b"\n]\n"
    })
    .map_err(io)?;
    let file = out.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    if stats.delivered > 0 {
        stats.last_success_at = Some(govstream::clock::rfc3339_ms(govstream::clock::now_ms()));
    }
    Ok((stats, bad_lines))
}
