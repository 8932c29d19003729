//! `api::close_all`, the exit hook a host registers: it closes every live
//! pipeline of the process, so it has a test binary of its own.
#![cfg(feature = "native")]
// clippy.toml allows panics inside #[test] functions only; the helpers
// here are test code too.
#![allow(clippy::panic)]

use govstream::api::{CompiledPolicy, HostSink, PipelineHandle, PipelineSpec};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn records(text: &str) -> Vec<govstream::schema::Record> {
    let policy = CompiledPolicy::default_policy().unwrap_or_else(|e| panic!("{e}"));
    policy
        .evaluate_value(text, Value::Null)
        .unwrap_or_else(|e| panic!("{e}"))
        .records()
}

fn spec(v: Value) -> PipelineSpec {
    PipelineSpec::from_value(v).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn close_all_closes_every_live_pipeline() {
    let seen = Arc::new(Mutex::new(0usize));
    let counter = Arc::clone(&seen);
    let sink: Arc<dyn HostSink> = Arc::new(move |_: &str, body: &[u8]| -> Result<(), String> {
        let lines = body
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .count();
        *counter.lock().map_err(|e| e.to_string())? += lines;
        Ok(())
    });
    let p = PipelineHandle::start(
        &spec(json!({"sinks": [{"kind": "callback", "name": "cb"}]})),
        HashMap::from([("cb".to_string(), sink)]),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    p.emit(&records("mail jane.doe@acme.com"), Duration::ZERO)
        .unwrap_or_else(|e| panic!("{e}"));
    govstream::api::close_all(Duration::from_secs(5));
    assert!(p.is_closed());
    assert_eq!(*seen.lock().unwrap_or_else(|e| e.into_inner()), 2);
}
