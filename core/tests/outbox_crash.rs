//! The outbox's promise under real crashes: a child process appends records
//! (fsync on every append) and delivers them to a log file, and is killed
//! with SIGKILL at arbitrary moments, over and over. Every record whose
//! append returned must afterwards be either in the delivery log or still
//! pending in the outbox. Duplicates are allowed (identified by the record's
//! id); loss is not.
//!
//! The child is this same test binary, re-invoked with an environment
//! variable that switches the test below into child mode, so no extra
//! binary has to be built.

// clippy.toml allows these inside #[test] functions only; the helpers here
// are test code too.
#![allow(clippy::unwrap_used, clippy::panic)]

use govstream::pipeline::outbox::{Outbox, OutboxConfig, SyncPolicy};
use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const CHILD_DIR: &str = "GOVSTREAM_OUTBOX_CRASH_DIR";
const CHILD_RUN: &str = "GOVSTREAM_OUTBOX_CRASH_RUN";
const TEST_NAME: &str = "outbox_loses_nothing_across_sigkills";
const RUNS: u64 = 30;
/// New runs start only within this budget, so the whole test stays well
/// under 20 s even on a loaded machine with slow fsyncs.
const BUDGET: Duration = Duration::from_secs(12);
/// Ids of run `r` are `r * ID_STRIDE + i`, unique across runs.
const ID_STRIDE: u64 = 1_000_000;

fn outbox_config(root: &Path) -> OutboxConfig {
    OutboxConfig {
        // Small segments, so that rollover and deletion happen under fire.
        segment_bytes: 512,
        sync: SyncPolicy::EveryAppend,
        ..OutboxConfig::new(root.join("outbox"))
    }
}

/// xorshift64*: a fixed seed gives every run of the test the same kill plan.
struct Plan(u64);

impl Plan {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

#[test]
fn outbox_loses_nothing_across_sigkills() {
    if let Ok(dir) = std::env::var(CHILD_DIR) {
        child(Path::new(&dir));
        return;
    }
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("outbox-crash-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(&root).unwrap();

    let started = Instant::now();
    let mut plan = Plan(0x9E37_79B9_7F4A_7C15);
    let mut emitted = BTreeSet::new();
    let mut runs = 0;
    while runs < RUNS && started.elapsed() < BUDGET {
        emitted.extend(run_and_kill(&root, runs, &mut plan));
        runs += 1;
    }

    let delivered = delivered_ids(&root.join("delivered.log"));
    let mut outbox = Outbox::open(outbox_config(&root), &["s"]).unwrap();
    let pending: Vec<u64> = outbox
        .read("s", usize::MAX)
        .unwrap()
        .iter()
        .map(|(_, payload)| parse_id(payload))
        .collect();
    let distinct_delivered: BTreeSet<u64> = delivered.iter().copied().collect();
    let lost: Vec<u64> = emitted
        .iter()
        .filter(|id| !distinct_delivered.contains(id) && !pending.contains(id))
        .copied()
        .collect();
    eprintln!(
        "{runs} runs in {:?}: {} emitted, {} delivered ({} duplicates), {} pending",
        started.elapsed(),
        emitted.len(),
        delivered.len(),
        delivered.len() - distinct_delivered.len(),
        pending.len()
    );
    assert!(
        lost.is_empty(),
        "lost {} ids, first {:?}",
        lost.len(),
        &lost[..lost.len().min(10)]
    );
    // The test must have exercised something for its silence to mean anything.
    assert!(runs >= 8, "only {runs} runs fit in the time budget");
    assert!(emitted.len() >= 50, "only {} ids emitted", emitted.len());
    // Append-only runs leave a backlog that only a later run, after a
    // restart, can have delivered.
    let replayed = distinct_delivered
        .iter()
        .filter(|id| *id / ID_STRIDE % 4 == 3)
        .count();
    assert!(
        replayed > 0,
        "no backlog of an append-only run was replayed"
    );
    let _ = fs::remove_dir_all(&root);
}

/// Starts the child for run `run`, kills it at a point chosen by `plan`, and
/// returns every id it reported as durably appended.
fn run_and_kill(root: &Path, run: u64, plan: &mut Plan) -> Vec<u64> {
    let stderr_path = root.join(format!("child-{run}.stderr"));
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR, root)
        .env(CHILD_RUN, run.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        // Only complete lines count: a line cut by the kill has no newline.
        let mut lines = BufReader::new(stdout);
        let mut line = String::new();
        while lines.read_line(&mut line).is_ok_and(|n| n > 0) {
            if let Some(rest) = line
                .strip_suffix('\n')
                .and_then(|l| l.split("acked-emitted ").nth(1))
            {
                let _ = tx.send(rest.trim().parse::<u64>().unwrap());
            }
            line.clear();
        }
    });

    // Every fourth kill lands during open (recovery) or the first appends;
    // the others after a random number of records.
    let wait_for = if plan.below(4) == 0 {
        0
    } else {
        1 + plan.below(25)
    };
    let mut ids = Vec::new();
    let deadline = Instant::now() + Duration::from_millis(400);
    if wait_for == 0 {
        std::thread::sleep(Duration::from_millis(plan.below(15)));
    }
    while (ids.len() as u64) < wait_for {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(id) => ids.push(id),
            Err(_) => break,
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    ids.extend(rx.try_iter());

    let stderr = fs::read_to_string(&stderr_path).unwrap_or_default();
    assert!(
        !stderr.contains("panicked"),
        "child {run} failed:\n{stderr}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            status.signal(),
            Some(9),
            "child {run} exited on its own ({status}):\n{stderr}"
        );
    }
    #[cfg(not(unix))]
    let _ = status;
    ids
}

/// Child mode: append and deliver until killed. Runs with `run % 4 == 3`
/// only append, so a backlog builds up that later runs must replay.
fn child(root: &Path) {
    let run: u64 = std::env::var(CHILD_RUN).unwrap().parse().unwrap();
    let log_path = root.join("delivered.log");
    repair_log(&log_path);
    let mut log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .unwrap();
    let mut outbox = Outbox::open(outbox_config(root), &["s"]).unwrap();
    let mut out = std::io::stdout().lock();
    let deliver_every = [1, 2, 3, 0][(run % 4) as usize];
    // The parent kills the child long before this; the limit only stops an
    // orphan whose parent died.
    let give_up = Instant::now() + Duration::from_secs(30);
    for i in 0..ID_STRIDE {
        if Instant::now() > give_up {
            return;
        }
        let id = run * ID_STRIDE + i;
        outbox.append(format!("id={id}").as_bytes()).unwrap();
        if writeln!(out, "acked-emitted {id}")
            .and_then(|()| out.flush())
            .is_err()
        {
            return;
        }
        if deliver_every != 0 && i % deliver_every == 0 {
            let batch = outbox.read("s", 8).unwrap();
            let Some(&(last, _)) = batch.last() else {
                continue;
            };
            let lines: String = batch
                .iter()
                .map(|(seq, payload)| format!("delivered {seq} {}\n", parse_id(payload)))
                .collect();
            log.write_all(lines.as_bytes()).unwrap();
            log.sync_data().unwrap();
            outbox.ack("s", last).unwrap();
        }
    }
}

/// Cuts a line left half-written by a killed child, so the next child's
/// lines start on a line of their own.
fn repair_log(path: &Path) {
    let Ok(bytes) = fs::read(path) else { return };
    let keep = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if keep < bytes.len() {
        let file = OpenOptions::new().write(true).open(path).unwrap();
        file.set_len(keep as u64).unwrap();
        file.sync_all().unwrap();
    }
}

/// Every id in the delivery log, duplicates included; a last line without
/// its newline was never followed by an ack and is ignored.
fn delivered_ids(path: &Path) -> Vec<u64> {
    let text = fs::read_to_string(path).unwrap_or_default();
    let complete = &text[..text.rfind('\n').map_or(0, |i| i + 1)];
    complete
        .lines()
        .map(|line| {
            let mut parts = line.split(' ');
            assert_eq!(parts.next(), Some("delivered"), "bad log line {line:?}");
            parts.nth(1).unwrap().parse().unwrap()
        })
        .collect()
}

fn parse_id(payload: &[u8]) -> u64 {
    std::str::from_utf8(payload)
        .unwrap()
        .strip_prefix("id=")
        .unwrap()
        .parse()
        .unwrap()
}
