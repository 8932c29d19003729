//! Every encoder on records read from arbitrary JSON lines (one record per
//! line; lines that are no record are skipped). Encoding may refuse a record
//! but never panics, and what it produces must hold its format: JSON bodies
//! parse and carry one item per record, JSON lines and bulk lines parse,
//! CEF and newline-framed syslog hold one line per record and no stray line
//! break, octet-counted syslog frames count right, header values carry no
//! line break. The Elasticsearch `_bulk` response reader gets every line too.

#![no_main]
// A panic is how a fuzz target reports a broken invariant.
#![allow(clippy::panic, clippy::expect_used)]

use govstream::pipeline::encode::*;
use govstream::schema::Record;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::OnceLock;

/// How a body is checked.
#[derive(Clone, Copy, Debug)]
enum Shape {
    /// One JSON document per line.
    JsonLines,
    /// Two JSON lines per record (action, document).
    Bulk,
    /// One JSON document; the items are at this JSON pointer ("" = root).
    JsonArray(&'static str),
    /// JSON objects back to back (Splunk HEC).
    Concatenated,
    /// One CEF line per record.
    Cef,
    /// `LEN SP MSG` per record.
    OctetCounted,
    /// `MSG LF` per record.
    NewlineTerminated,
}

fn encoders() -> &'static [(Shape, Box<dyn Encoder>)] {
    static ENCODERS: OnceLock<Vec<(Shape, Box<dyn Encoder>)>> = OnceLock::new();
    ENCODERS.get_or_init(|| {
        let version = || "1|2\\3=4\n".to_owned();
        let mut hec = SplunkHecConfig::new("00000000-0000-0000-0000-000000000000");
        hec.host = Some("gw\"1".into());
        hec.index = Some("ai_governance".into());
        let mut es = ElasticsearchBulkConfig::new("logs", ElasticsearchAuth::None);
        es.findings_index = Some("findings".into());
        let otlp = OtlpLogsConfig {
            service_name: "gw\"\n".into(),
            resource_attributes: vec![("env".into(), "prod\u{0}".into())],
            headers: Vec::new(),
            product_version: version(),
        };
        let syslog = |framing, message, bom| {
            SyslogEncoder::new(SyslogConfig {
                hostname: Some("gw-1".into()),
                framing,
                message,
                bom,
                ..SyslogConfig::default()
            })
            .expect("a valid syslog config")
        };
        let cef = || CefConfig {
            product_version: version(),
        };
        let ocsf = |framing| OcsfConfig {
            framing,
            authorization: None,
            product_version: version(),
        };
        let webhook =
            WebhookEncoder::new(WebhookConfig::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
                .expect("a valid webhook secret");
        vec![
            (
                Shape::JsonLines,
                Box::new(JsonLinesEncoder::new()) as Box<dyn Encoder>,
            ),
            (Shape::JsonArray("/data"), Box::new(webhook)),
            (Shape::Concatenated, Box::new(SplunkHecEncoder::new(hec))),
            (Shape::Bulk, Box::new(ElasticsearchBulkEncoder::new(es))),
            (
                Shape::JsonArray(""),
                Box::new(AzureLogsEncoder::new(AzureLogsConfig::new("token"))),
            ),
            (
                Shape::JsonArray("/resourceLogs/0/scopeLogs/0/logRecords"),
                Box::new(OtlpLogsEncoder::new(otlp)),
            ),
            (
                Shape::OctetCounted,
                Box::new(syslog(
                    SyslogFraming::OctetCounting,
                    SyslogMessage::Json,
                    true,
                )),
            ),
            (
                Shape::NewlineTerminated,
                Box::new(syslog(
                    SyslogFraming::NewlineTerminated,
                    SyslogMessage::Json,
                    false,
                )),
            ),
            (
                Shape::NewlineTerminated,
                Box::new(syslog(
                    SyslogFraming::NewlineTerminated,
                    SyslogMessage::Cef(cef()),
                    false,
                )),
            ),
            (Shape::Cef, Box::new(CefEncoder::new(cef()))),
            (
                Shape::JsonLines,
                Box::new(OcsfEncoder::new(ocsf(OcsfFraming::JsonLines))),
            ),
            (
                Shape::JsonArray(""),
                Box::new(OcsfEncoder::new(ocsf(OcsfFraming::JsonArray))),
            ),
        ]
    })
}

fn parse(what: &str, text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{what} is not JSON ({e}): {text:?}"))
}

/// Checks `body` (the frame of `n` pieces) against its shape.
fn check_body(name: &str, shape: Shape, body: &[u8], n: usize) {
    let text = std::str::from_utf8(body).unwrap_or_else(|e| panic!("{name}: not UTF-8: {e}"));
    let lines = || text.strip_suffix('\n').unwrap_or(text).split('\n');
    match shape {
        Shape::JsonLines | Shape::Bulk => {
            let per = if matches!(shape, Shape::Bulk) { 2 } else { 1 };
            let count = if n == 0 { 0 } else { lines().count() };
            assert_eq!(count, n * per, "{name}: line count");
            if n > 0 {
                for line in lines() {
                    parse(name, line);
                }
            }
        }
        Shape::JsonArray(pointer) => {
            let v = parse(name, text);
            let items = v.pointer(pointer).and_then(Value::as_array);
            let items = items.unwrap_or_else(|| panic!("{name}: no array at {pointer:?}"));
            assert_eq!(items.len(), n, "{name}: item count");
        }
        Shape::Concatenated => {
            let mut count = 0;
            for v in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
                v.unwrap_or_else(|e| panic!("{name}: not JSON objects back to back: {e}"));
                count += 1;
            }
            assert_eq!(count, n, "{name}: object count");
        }
        Shape::Cef | Shape::NewlineTerminated => {
            assert!(
                n == 0 || text.ends_with('\n'),
                "{name}: no final line break"
            );
            assert_eq!(text.matches('\n').count(), n, "{name}: line count");
            assert!(!text.contains('\r'), "{name}: a raw carriage return");
        }
        Shape::OctetCounted => {
            let mut rest = text;
            let mut count = 0;
            while !rest.is_empty() {
                let (len, tail) = rest
                    .split_once(' ')
                    .unwrap_or_else(|| panic!("{name}: a frame without a length"));
                let len: usize = len
                    .parse()
                    .unwrap_or_else(|_| panic!("{name}: frame length {len:?}"));
                assert!(
                    tail.len() >= len && tail.is_char_boundary(len),
                    "{name}: length"
                );
                let msg = &tail[..len];
                assert!(msg.starts_with('<'), "{name}: a frame without PRI: {msg:?}");
                rest = &tail[len..];
                count += 1;
            }
            assert_eq!(count, n, "{name}: frame count");
        }
    }
}

fn check_cef_line(line: &str) {
    assert!(line.starts_with("CEF:0|"), "not a CEF line: {line:?}");
    assert!(
        !line.contains(['\n', '\r']),
        "a line break in a CEF line: {line:?}"
    );
    // The header has seven unescaped `|` before the extension.
    let mut pipes = 0;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => pipes += 1,
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
        if pipes == 7 {
            break;
        }
    }
    assert_eq!(pipes, 7, "a CEF header without seven fields: {line:?}");
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.split('\n').collect();
    let records: Vec<Record> = lines
        .iter()
        .filter_map(|l| Record::from_json_line(l).ok())
        .collect();

    // The `_bulk` response reader: any body, any count.
    let es =
        ElasticsearchBulkEncoder::new(ElasticsearchBulkConfig::new("x", ElasticsearchAuth::None));
    for (i, line) in lines.iter().enumerate() {
        if let Some(outcomes) = es.item_outcomes(line.as_bytes(), i) {
            assert_eq!(outcomes.len(), i, "bulk outcomes for {i} records");
        }
    }

    let cef = CefEncoder::new(CefConfig::default());
    for r in &records {
        // The mappings behind several encoders; they must not panic.
        let _ = record_to_ecs(r);
        let _ = record_to_ocsf(r);
        if let Ok(line) = cef.line(r) {
            check_cef_line(&line);
        }
    }

    let batch = BatchInfo {
        batch_id: "batch-1".into(),
        now_ms: 1_738_584_000_123,
    };
    for (shape, encoder) in encoders() {
        let name = encoder.name();
        let mut pieces = Vec::new();
        for r in &records {
            let mut piece = Vec::new();
            // A refused record is dropped by the sink, which clears the
            // buffer first, so what a failed call left in it does not matter.
            if encoder.encode_record(r, &mut piece).is_ok() {
                pieces.push(piece);
            }
        }
        let refs: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
        let mut body = Vec::new();
        encoder.frame(&refs, &mut body);
        check_body(name, *shape, &body, pieces.len());
        for (header, value) in encoder.headers(&body, &batch) {
            assert!(
                !header.is_empty() && header.bytes().all(|b| b.is_ascii_graphic() && b != b':'),
                "{name}: header name {header:?}"
            );
            assert!(
                !value.contains(['\r', '\n', '\0']),
                "{name}: header {header} has a line break: {value:?}"
            );
        }
    }
});
