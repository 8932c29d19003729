//! A host-supplied clock and random source, as a WASM host sets them. In a
//! test binary of its own: the sources are process-wide, and the unit tests
//! next to the code must keep the platform's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::clock;
use govstream::policy::{EvaluationContext, Policy};

const HOST_NOW: i64 = 1_795_339_200_007;

fn host_now() -> i64 {
    HOST_NOW
}

fn host_random(buf: &mut [u8]) -> bool {
    buf.fill(7);
    true
}

fn failing_random(_: &mut [u8]) -> bool {
    false
}

#[test]
fn host_sources_replace_the_platform_and_can_be_removed() {
    // One test, since the sources are process-wide.
    clock::set_source(Some(host_now));
    assert_eq!(clock::now_ms(), HOST_NOW);
    let decision = Policy::default_policy()
        .unwrap()
        .evaluate("hello", &EvaluationContext::default());
    let event = decision.event.unwrap();
    assert_eq!(event.timestamp, "2026-11-22T09:20:00.007Z");
    let id = uuid::Uuid::parse_str(&event.event_id).unwrap();
    assert_eq!(id.get_version_num(), 7);

    clock::set_random_source(Some(host_random));
    assert_eq!(clock::random_key(), vec![7u8; 32]);
    let (a, b) = (clock::uuid_v7(HOST_NOW), clock::uuid_v7(HOST_NOW));
    assert_ne!(a, b, "the counter still tells identifiers apart");

    // A host source that fails falls back to the platform's.
    clock::set_random_source(Some(failing_random));
    assert_ne!(clock::random_key(), clock::random_key());

    clock::set_source(None);
    clock::set_random_source(None);
    assert_ne!(clock::now_ms(), HOST_NOW);
    assert_ne!(clock::random_key(), vec![7u8; 32]);
}
