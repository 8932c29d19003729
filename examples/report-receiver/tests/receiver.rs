//! Posts good, malformed and unauthenticated reports to the receiver on
//! loopback and checks each status code and exactly what reached the sink.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::api::{CompiledPolicy, PipelineHandle, PipelineSpec};
use govstream::ingest::ReportReceiver;
use govstream::keys::{KeyStore, KeyStoreFile, MintRequest, MintedKey, mint};
use govstream::schema::Record;
use govstream_report_receiver::{Config, Server, Stopper};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

const REPORT: &str = r#"{"url": "https://chat.deepseek.com/a/chat/s/42?q=merger", "user_email": "jane@acme.com", "source_system": "netskope", "severity": "high"}"#;

struct Running {
    addr: SocketAddr,
    pipeline: Arc<PipelineHandle>,
    stopper: Stopper,
    thread: std::thread::JoinHandle<std::io::Result<()>>,
    good: MintedKey,
    off: MintedKey,
}

fn start(config: Config) -> Running {
    let now = govstream::clock::now_ms();
    let good = mint(&MintRequest::new("netskope-prod", "org_acme"), now).unwrap();
    let mut off = mint(&MintRequest::new("old-swg", "org_acme"), now).unwrap();
    off.entry.disabled = true;
    let keys = KeyStore::from_file(
        KeyStoreFile {
            keys: vec![good.entry.clone(), off.entry.clone()],
        },
        "test",
    )
    .unwrap();
    let receiver = ReportReceiver::new(keys, CompiledPolicy::default_policy().unwrap())
        .with_max_body_bytes(64 * 1024);
    let spec = PipelineSpec::from_json(r#"{"sinks": [{"kind": "memory", "name": "m"}]}"#).unwrap();
    let pipeline = Arc::new(PipelineHandle::start(&spec, HashMap::new()).unwrap());
    let server = Server::bind("127.0.0.1:0", receiver, Arc::clone(&pipeline), config).unwrap();
    let addr = server.local_addr().unwrap();
    let stopper = server.stopper().unwrap();
    let thread = std::thread::spawn(move || server.run());
    Running {
        addr,
        pipeline,
        stopper,
        thread,
        good,
        off,
    }
}

/// Sends `raw` bytes and reads the whole answer: status, headers, JSON body.
fn send(addr: SocketAddr, raw: &[u8]) -> (u16, String, Value) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(raw).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_owned(), serde_json::from_str(body).unwrap())
}

fn post(addr: SocketAddr, headers: &[(&str, &str)], body: &str) -> (u16, String, Value) {
    let mut raw = format!(
        "POST /v1/shadow-ai/report HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    raw.push_str("\r\n");
    raw.push_str(body);
    send(addr, raw.as_bytes())
}

#[test]
fn status_codes_and_exactly_the_accepted_reports_reach_the_sink() {
    let r = start(Config::default());
    let key = r.good.key.expose_secret().to_owned();
    let bearer = format!("Bearer {key}");
    let mut accepted_ids = Vec::new();

    // 202: one report by X-API-Key, two by Bearer.
    let (status, _, body) = post(r.addr, &[("X-API-Key", &key)], REPORT);
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["accepted"], 1);
    accepted_ids.extend(body["event_ids"].as_array().unwrap().clone());
    let batch = json!([
        {"hostname": "claude.ai", "user_id": "u_7"},
        {"url": "https://gemini.google.com/app", "idp_user_id": "kc-9", "org_id": "org_acme"}
    ])
    .to_string();
    let (status, _, body) = post(r.addr, &[("Authorization", &bearer)], &batch);
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["accepted"], 2);
    accepted_ids.extend(body["event_ids"].as_array().unwrap().clone());

    // 400: not JSON, and a report with problems (nothing of it is kept).
    let (status, _, body) = post(r.addr, &[("X-API-Key", &key)], "{\"url\": ");
    assert_eq!(status, 400);
    assert_eq!(body["problems"][0]["path"], "$");
    let bad = json!([{"hostname": "claude.ai", "user_id": "u_7"}, {"url": 3, "user_id": "u"}]);
    let (status, _, body) = post(r.addr, &[("X-API-Key", &key)], &bad.to_string());
    assert_eq!(status, 400);
    assert_eq!(body["error"], "validation");
    assert_eq!(body["problems"][0]["path"], "$[1].url");

    // 401 alike for no key, a wrong key, an unknown id and another scheme.
    let tail = if key.ends_with("zz") { "aa" } else { "zz" };
    let wrong = format!("{}{tail}", &key[..key.len() - 2]);
    let stranger = mint(&MintRequest::new("x", "org_acme"), 0).unwrap();
    let mut unauthorized = Vec::new();
    for headers in [
        vec![],
        vec![("X-API-Key", wrong.as_str())],
        vec![("X-API-Key", stranger.key.expose_secret())],
        vec![("Authorization", "Basic bGVlOmh1bnRlcjI=")],
    ] {
        let (status, head, body) = post(r.addr, &headers, REPORT);
        assert_eq!(status, 401, "{headers:?}");
        assert!(head.contains("WWW-Authenticate: Bearer"), "{head}");
        assert!(!body.to_string().contains(&key[14..]));
        unauthorized.push(body);
    }
    unauthorized.dedup();
    assert_eq!(unauthorized.len(), 1, "{unauthorized:?}");

    // 403: a disabled key (its holder may know), a report for another org.
    let (status, _, body) = post(r.addr, &[("X-API-Key", r.off.key.expose_secret())], REPORT);
    assert_eq!(
        (status, body["message"].as_str()),
        (403, Some("the API key is disabled"))
    );
    let other = json!({"org_id": "org_other", "hostname": "claude.ai", "user_id": "u"});
    let (status, _, body) = post(r.addr, &[("X-API-Key", &key)], &other.to_string());
    assert_eq!(status, 403);
    assert_eq!(body["problems"][0]["path"], "$.org_id");

    // 405, 404, 415, 411, 413.
    let (status, head, _) = send(
        r.addr,
        format!("GET /v1/shadow-ai/report HTTP/1.1\r\nX-API-Key: {key}\r\n\r\n").as_bytes(),
    );
    assert_eq!(status, 405);
    assert!(head.contains("Allow: POST"), "{head}");
    let (status, _, _) = send(
        r.addr,
        b"POST /v1/other HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(status, 404);
    let (status, _, _) = send(
        r.addr,
        format!("POST /v1/shadow-ai/report HTTP/1.1\r\nX-API-Key: {key}\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi").as_bytes(),
    );
    assert_eq!(status, 415);
    let (status, _, _) = send(
        r.addr,
        format!("POST /v1/shadow-ai/report HTTP/1.1\r\nX-API-Key: {key}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").as_bytes(),
    );
    assert_eq!(status, 411);
    // The bound is checked on the declared length, before a byte is read.
    let (status, _, body) = send(
        r.addr,
        format!("POST /v1/shadow-ai/report HTTP/1.1\r\nX-API-Key: {key}\r\nContent-Length: 10000000\r\n\r\n").as_bytes(),
    );
    assert_eq!(status, 413, "{body}");
    // A body larger than the bound, sent anyway, is refused the same way.
    let huge = format!("[{}]", vec![REPORT; 600].join(","));
    let (status, _, _) = post(r.addr, &[("X-API-Key", &key)], &huge);
    assert_eq!(status, 413);

    // Exactly the three accepted reports reached the sink, with the ids
    // the 202s gave, the key's org and the sending key's id.
    assert!(
        r.pipeline
            .flush(Duration::from_secs(10))
            .unwrap()
            .all_delivered()
    );
    let records = r.pipeline.memory_records("m").unwrap();
    let ids: Vec<Value> = records
        .iter()
        .map(|rec| match rec {
            Record::ShadowAiEvent(e) => {
                assert_eq!(e.org_id, "org_acme");
                assert_eq!(e.metadata["api_key_id"], r.good.key.id());
                json!(e.event_id)
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, accepted_ids);
    r.stopper.stop();
    r.thread.join().unwrap().unwrap();
}

#[test]
fn a_slow_client_is_cut_off_at_the_request_deadline() {
    let r = start(Config {
        request_timeout: Duration::from_millis(400),
        ..Config::default()
    });
    let key = r.good.key.expose_secret().to_owned();
    let started = Instant::now();
    let mut stream = TcpStream::connect(r.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // Half a head, then a byte of it at a time, never finishing.
    stream
        .write_all(format!("POST /v1/shadow-ai/report HTTP/1.1\r\nX-API-Key: {key}\r\n").as_bytes())
        .unwrap();
    for _ in 0..3 {
        std::thread::sleep(Duration::from_millis(100));
        let _ = stream.write_all(b"X");
    }
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5));

    // A declared body that never fully arrives times out too, and nothing
    // of it is delivered.
    let mut stream = TcpStream::connect(r.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let partial = &REPORT[..20];
    stream
        .write_all(
            format!(
                "POST /v1/shadow-ai/report HTTP/1.1\r\nX-API-Key: {key}\r\nContent-Length: {}\r\n\r\n{partial}",
                REPORT.len()
            )
            .as_bytes(),
        )
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(
        r.pipeline
            .flush(Duration::from_secs(5))
            .unwrap()
            .all_delivered()
    );
    assert!(r.pipeline.memory_records("m").unwrap().is_empty());
    r.stopper.stop();
    r.thread.join().unwrap().unwrap();
}

/// The binary as an operator runs it: a key store and a JSONL sink from
/// files, a report in, the event in the file.
#[test]
fn the_binary_delivers_a_report_to_a_jsonl_file() {
    let dir = std::env::temp_dir().join(format!("report-receiver-bin-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let minted = mint(
        &MintRequest::new("swg", "org_acme"),
        govstream::clock::now_ms(),
    )
    .unwrap();
    let keys = dir.join("keys.json");
    std::fs::write(&keys, json!({"keys": [minted.entry]}).to_string()).unwrap();
    let out = dir.join("events.jsonl");
    let pipeline = dir.join("pipeline.json");
    std::fs::write(
        &pipeline,
        json!({"sinks": [{"kind": "jsonl", "name": "file", "path": out}]}).to_string(),
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_report-receiver"))
        .args(["--listen", "127.0.0.1:0", "--keys"])
        .arg(&keys)
        .arg("--pipeline")
        .arg(&pipeline)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr: SocketAddr = first
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("{first}"))
        .parse()
        .unwrap();
    let (status, _, body) = post(addr, &[("X-API-Key", minted.key.expose_secret())], REPORT);
    assert_eq!(status, 202, "{body}");
    let id = body["event_ids"][0].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(20);
    let line = loop {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| l.contains(&id)) {
            break line.to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "{id} never reached {}",
            out.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let record: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(record["record_type"], "shadow_ai_event");
    assert_eq!(record["source"], "api");
    assert_eq!(record["url"], "https://chat.deepseek.com/a/chat/s/42");
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        log.contains(&format!("202 key {} (swg)", minted.key.id())),
        "{log}"
    );
    assert!(!log.contains(minted.key.expose_secret()), "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}
