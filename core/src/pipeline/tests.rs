//! The pipeline state machine, driven by hand: every path a batch can take,
//! and the counters after every step.

use super::encode::{BatchInfo, Encoder, ItemOutcome};
use super::*;
use crate::policy::{EvaluationContext, Policy};
use crate::schema::Record;
use proptest::prelude::*;

/// Encodes a record as its id; a body is the ids, one per line. Items of a
/// response body `i:<outcomes>` are `d`elivered, `r`etry, `p`ermanent.
#[derive(Debug)]
struct IdEncoder;

impl Encoder for IdEncoder {
    fn name(&self) -> &'static str {
        "ids"
    }
    fn encode_record(&self, record: &Record, out: &mut Vec<u8>) -> crate::Result<()> {
        out.extend_from_slice(record.event_id().as_bytes());
        Ok(())
    }
    fn frame(&self, pieces: &[&[u8]], out: &mut Vec<u8>) {
        for p in pieces {
            out.extend_from_slice(p);
            out.push(b'\n');
        }
    }
    fn headers(&self, _body: &[u8], batch: &BatchInfo) -> Vec<(String, String)> {
        vec![("x-batch".into(), batch.batch_id.clone())]
    }
    fn item_outcomes(&self, body: &[u8], _records: usize) -> Option<Vec<ItemOutcome>> {
        let s = std::str::from_utf8(body).ok()?.strip_prefix("i:")?;
        Some(
            s.chars()
                .map(|c| match c {
                    'd' => ItemOutcome::Delivered,
                    'r' => ItemOutcome::Retry("busy".into()),
                    _ => ItemOutcome::Permanent("mapping".into()),
                })
                .collect(),
        )
    }
}

fn records(n: usize, text: &str) -> Vec<Record> {
    // Compiling the policy is the slow part in a debug build: do it once.
    static POLICY: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    let policy = POLICY.get_or_init(|| Policy::default_policy().unwrap());
    (0..n)
        .flat_map(|i| {
            let ctx = EvaluationContext {
                event_id: Some(format!("ev-{i:05}")),
                timestamp_ms: Some(1_000),
                ..EvaluationContext::default()
            };
            policy.evaluate(text, &ctx).event.map(Record::from)
        })
        .collect()
}

fn pipeline(config: SinkConfig) -> Pipeline {
    Pipeline::new(
        vec![SinkSpec::new(
            config,
            Box::new(IdEncoder),
            Destination::Http {
                url: "http://127.0.0.1:1/in".into(),
            },
        )],
        7,
    )
    .unwrap()
}

fn ok() -> Outcome {
    Outcome::Http {
        status: 200,
        retry_after_ms: None,
        body: vec![],
    }
}

fn status(code: u16) -> Outcome {
    Outcome::Http {
        status: code,
        retry_after_ms: None,
        body: b"nope".to_vec(),
    }
}

fn check(p: &Pipeline) -> SinkStats {
    let s = p.stats().remove(0);
    assert!(s.balanced(), "{s:?}");
    s
}

#[test]
fn batches_by_count_then_by_wait() {
    let mut p = pipeline(SinkConfig {
        max_batch_records: 3,
        max_wait_ms: 100,
        ..SinkConfig::named("s")
    });
    for r in records(4, "hello") {
        p.emit(&r, 0).unwrap();
    }
    let t = p.poll_transmit(0).unwrap();
    assert_eq!(t.records, 3);
    assert_eq!(t.body, b"ev-00000\nev-00001\nev-00002\n");
    assert!(t.headers[0].1.starts_with("batch_"));
    assert!(
        p.poll_transmit(50).is_none(),
        "one record waits for max_wait"
    );
    assert_eq!(p.next_wakeup(), Some(100));
    let t2 = p.poll_transmit(100).unwrap();
    assert_eq!(t2.records, 1);
    p.on_outcome(t.id, ok(), 100);
    p.on_outcome(t2.id, ok(), 100);
    let s = check(&p);
    assert_eq!((s.emitted, s.delivered, s.pending), (4, 4, 0));
    assert!(s.last_success_at.is_some());
}

#[test]
fn retryable_statuses_retry_with_backoff_and_retry_after() {
    let mut p = pipeline(SinkConfig {
        max_wait_ms: 0,
        initial_backoff_ms: 100,
        max_backoff_ms: 1_000,
        ..SinkConfig::named("s")
    });
    for r in records(2, "x") {
        p.emit(&r, 0).unwrap();
    }
    for (code, now) in [
        (500u16, 0i64),
        (502, 2_000),
        (503, 4_000),
        (408, 6_000),
        (429, 8_000),
    ] {
        let t = p.poll_transmit(now).expect("due");
        let outcome = if code == 429 {
            Outcome::Http {
                status: 429,
                retry_after_ms: Some(30_000),
                body: vec![],
            }
        } else {
            status(code)
        };
        p.on_outcome(t.id, outcome, now);
        let s = check(&p);
        assert_eq!(
            (s.pending, s.dropped_total(), s.dead_lettered),
            (2, 0, 0),
            "{code}"
        );
    }
    // Retry-After is honoured over the (shorter) backoff.
    assert!(p.poll_transmit(8_000 + 29_999).is_none());
    let t = p.poll_transmit(8_000 + 30_000).unwrap();
    let body_again = t.body.clone();
    p.on_outcome(t.id, ok(), 40_000);
    let s = check(&p);
    assert_eq!((s.delivered, s.retried), (2, 10));
    assert_eq!(body_again, b"ev-00000\nev-00001\n");
}

#[test]
fn permanent_failures_are_dead_lettered_with_the_response() {
    for code in [400u16, 401, 403, 404, 422, 501] {
        let mut p = pipeline(SinkConfig {
            max_wait_ms: 0,
            ..SinkConfig::named("s")
        });
        for r in records(3, "x") {
            p.emit(&r, 0).unwrap();
        }
        let t = p.poll_transmit(0).unwrap();
        p.on_outcome(t.id, status(code), 5);
        let s = check(&p);
        assert_eq!((s.dead_lettered, s.pending), (3, 0), "{code}");
        let dl = p.dead_letters("s");
        assert_eq!(dl[0].status, Some(code));
        assert_eq!(dl[0].response, "nope");
        assert_eq!(dl[0].record_ids.len(), 3);
        assert!(s.last_error.unwrap().contains(&code.to_string()));
    }
}

#[test]
fn too_large_splits_until_single_records_fail() {
    let mut p = pipeline(SinkConfig {
        max_wait_ms: 0,
        ..SinkConfig::named("s")
    });
    for r in records(4, "x") {
        p.emit(&r, 0).unwrap();
    }
    let t = p.poll_transmit(0).unwrap();
    assert_eq!(t.records, 4);
    p.on_outcome(t.id, status(413), 0);
    let a = p.poll_transmit(0).unwrap();
    let b = p.poll_transmit(0).unwrap();
    assert_eq!((a.records, b.records), (2, 2));
    p.on_outcome(a.id, ok(), 0);
    p.on_outcome(b.id, status(413), 0);
    let c = p.poll_transmit(0).unwrap();
    let d = p.poll_transmit(0).unwrap();
    p.on_outcome(c.id, ok(), 0);
    p.on_outcome(d.id, status(413), 0);
    let s = check(&p);
    assert_eq!((s.delivered, s.dead_lettered, s.pending), (3, 1, 0));
}

#[test]
fn per_item_outcomes_retry_only_what_failed() {
    let mut p = pipeline(SinkConfig {
        max_wait_ms: 0,
        initial_backoff_ms: 0,
        max_backoff_ms: 0,
        ..SinkConfig::named("s")
    });
    for r in records(3, "x") {
        p.emit(&r, 0).unwrap();
    }
    let t = p.poll_transmit(0).unwrap();
    p.on_outcome(
        t.id,
        Outcome::Http {
            status: 200,
            retry_after_ms: None,
            body: b"i:drp".to_vec(),
        },
        0,
    );
    let s = check(&p);
    assert_eq!((s.delivered, s.dead_lettered, s.pending), (1, 1, 1));
    let t = p.poll_transmit(0).unwrap();
    assert_eq!(t.body, b"ev-00001\n");
    p.on_outcome(t.id, ok(), 0);
    assert_eq!(check(&p).delivered, 2);
}

#[test]
fn retries_are_bounded_by_max_attempts() {
    let mut p = pipeline(SinkConfig {
        max_wait_ms: 0,
        max_attempts: 3,
        initial_backoff_ms: 0,
        max_backoff_ms: 0,
        ..SinkConfig::named("s")
    });
    p.emit(&records(1, "x")[0], 0).unwrap();
    for _ in 0..3 {
        let t = p.poll_transmit(0).unwrap();
        p.on_outcome(
            t.id,
            Outcome::Failed {
                error: "connection refused".into(),
                retryable: true,
            },
            0,
        );
    }
    let s = check(&p);
    assert_eq!((s.dead_lettered, s.retried), (1, 2));
    assert!(p.dead_letters("s")[0].reason.contains("retries exhausted"));
}

#[test]
fn a_full_queue_never_evicts_priority_records() {
    let mut p = pipeline(SinkConfig {
        queue_capacity: 3,
        max_wait_ms: 1_000_000,
        max_batch_records: 100,
        ..SinkConfig::named("s")
    });
    let low = records(3, "hello");
    let high = records(2, "key AKIAIOSFODNN7EXAMPLE");
    for r in &low {
        p.emit(r, 0).unwrap();
    }
    // Each blocked event evicts the newest low-priority one.
    p.emit(&high[0], 0).unwrap();
    p.emit(&high[1], 0).unwrap();
    p.emit(&low[0], 0).unwrap(); // full of 1 low + 2 high: dropped itself
    let s = check(&p);
    assert_eq!((s.pending, s.dropped["queue_full"]), (3, 3));
    p.flush();
    let t = p.poll_transmit(0).unwrap();
    assert_eq!(t.body, b"ev-00000\nev-00000\nev-00001\n");
}

#[test]
fn block_policy_refuses_and_counts_nothing() {
    let mut p = pipeline(SinkConfig {
        queue_capacity: 1,
        overflow: OverflowPolicy::Block,
        max_wait_ms: 1_000,
        ..SinkConfig::named("s")
    });
    let rs = records(2, "x");
    p.emit(&rs[0], 0).unwrap();
    let err = p.emit(&rs[1], 0).unwrap_err();
    assert_eq!(err.sink, "s");
    assert_eq!(check(&p).emitted, 1);
}

#[test]
fn memory_sinks_hold_the_newest_records_and_kinds_filter() {
    let mut p = Pipeline::new(
        vec![
            SinkSpec::new(
                SinkConfig::named("mem"),
                Box::new(IdEncoder),
                Destination::Memory { capacity: 2 },
            ),
            SinkSpec::new(
                SinkConfig {
                    kinds: vec!["dlp_match".into()],
                    ..SinkConfig::named("matches")
                },
                Box::new(IdEncoder),
                Destination::Memory { capacity: 10 },
            ),
        ],
        1,
    )
    .unwrap();
    for r in records(3, "x") {
        p.emit(&r, 0).unwrap();
    }
    let kept: Vec<String> = p
        .memory_records("mem")
        .iter()
        .map(|r| r.event_id().to_string())
        .collect();
    assert_eq!(kept, ["ev-00001", "ev-00002"]);
    assert!(p.memory_records("matches").is_empty());
    assert!(p.poll_transmit(0).is_none() && p.is_idle());
    assert!(p.stats().iter().all(SinkStats::balanced));
}

#[test]
fn bad_configs_are_reported_together() {
    let bad = |name: &str, kinds: Vec<String>| {
        SinkSpec::new(
            SinkConfig {
                name: name.into(),
                max_batch_records: 0,
                kinds,
                ..SinkConfig::default()
            },
            Box::new(IdEncoder),
            Destination::Callback,
        )
    };
    let err = Pipeline::new(vec![bad("a", vec!["nope".into()]), bad("a", vec![])], 0).unwrap_err();
    let paths: Vec<&str> = err.problems().iter().map(|p| p.path.as_str()).collect();
    assert!(
        paths.contains(&"$.sinks[0].kinds[0]") && paths.contains(&"$.sinks[1].name"),
        "{paths:?}"
    );
    assert!(!err.to_string().contains("nope"), "{err}");
}

#[test]
fn a_timed_out_shutdown_counts_what_it_abandons() {
    let mut p = pipeline(SinkConfig {
        max_wait_ms: 0,
        ..SinkConfig::named("s")
    });
    for r in records(2, "x") {
        p.emit(&r, 0).unwrap();
    }
    let _in_flight = p.poll_transmit(0).unwrap();
    p.abandon_pending();
    let s = check(&p);
    assert_eq!((s.dropped["shutdown"], s.pending), (2, 0));
}

proptest! {
    /// Whatever the receiver answers, the counters balance after every
    /// step, and once it recovers every record is delivered exactly once
    /// or dead-lettered — none is lost.
    #[test]
    fn counters_balance_and_nothing_is_lost(
        answers in proptest::collection::vec(0u8..8, 1..60),
        batch in 1usize..5,
        n in 1usize..25,
    ) {
        let mut p = pipeline(SinkConfig {
            max_wait_ms: 0, max_batch_records: batch, initial_backoff_ms: 10,
            max_backoff_ms: 50, max_attempts: 0, max_in_flight: 2, ..SinkConfig::named("s")
        });
        let rs = records(n, "x");
        let mut now = 0i64;
        let mut delivered_ids = Vec::new();
        let mut answers = answers.into_iter();
        for r in &rs {
            p.emit(r, now).unwrap();
        }
        let mut steps = 0;
        while !p.is_idle() && steps < 10_000 {
            steps += 1;
            now += 60;
            let Some(t) = p.poll_transmit(now) else { continue };
            let outcome = match answers.next().unwrap_or(0) {
                0..=2 => ok(),
                3 => status(500),
                4 => Outcome::Http { status: 429, retry_after_ms: Some(100), body: vec![] },
                5 => status(413),
                6 => Outcome::Failed { error: "reset".into(), retryable: true },
                _ => status(503),
            };
            if matches!(outcome, Outcome::Http { status: 200, .. }) {
                delivered_ids.extend(String::from_utf8(t.body.clone()).unwrap().lines().map(String::from));
            }
            p.on_outcome(t.id, outcome, now);
            let s = p.stats().remove(0);
            prop_assert!(s.balanced(), "{:?}", s);
        }
        let s = p.stats().remove(0);
        prop_assert_eq!(s.pending, 0);
        delivered_ids.sort();
        let mut dead: Vec<String> = p.dead_letters("s").into_iter().flat_map(|d| d.record_ids).collect();
        let mut all = delivered_ids.clone();
        all.append(&mut dead);
        all.sort();
        let mut want: Vec<String> = rs.iter().map(|r| r.event_id().to_string()).collect();
        want.sort();
        prop_assert_eq!(all, want);
        prop_assert_eq!(s.delivered as usize, delivered_ids.len());
    }
}

#[test]
fn records_outside_a_subscription_count_as_filtered_on_every_path() {
    let mut p = Pipeline::new(
        vec![SinkSpec::new(
            SinkConfig {
                event_types: vec!["event.blocked".into()],
                ..SinkConfig::named("s")
            },
            Box::new(IdEncoder),
            Destination::Memory { capacity: 10 },
        )],
        1,
    )
    .unwrap();
    // An allowed prompt: event.request, outside the subscription.
    let r = records(1, "hello").remove(0);
    p.emit(&r, 0).unwrap();
    p.emit_stored(&r, 1, 0);
    assert!(p.replay_to("s", &r, 2, 0));
    p.count_dropped(&r, "outbox_full");
    let s = check(&p);
    assert_eq!((s.emitted, s.filtered, s.dropped_total()), (0, 4, 0));
    // Stored entries it does not take are resolved for it.
    assert_eq!(p.resolved_through("s"), Some(2));
}
