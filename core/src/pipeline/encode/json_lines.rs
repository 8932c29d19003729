//! JSON Lines: one record per line, exactly as `Record::to_json_line` writes
//! it. The plain JSONL sink (a file, stdout) and any HTTP endpoint that takes
//! NDJSON use it.

use super::{BatchInfo, Encoder};
use crate::Result;
use crate::schema::Record;

/// One record per line, each line ending in `\n`. The body is the pieces
/// concatenated, so its size is exactly the sum of the pieces.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonLinesEncoder;

impl JsonLinesEncoder {
    /// The encoder; it has no settings.
    pub fn new() -> Self {
        JsonLinesEncoder
    }
}

impl Encoder for JsonLinesEncoder {
    fn name(&self) -> &'static str {
        "jsonl"
    }

    fn encode_record(&self, record: &Record, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(record.to_json_line()?.as_bytes());
        out.push(b'\n');
        Ok(())
    }

    fn frame(&self, pieces: &[&[u8]], out: &mut Vec<u8>) {
        for p in pieces {
            out.extend_from_slice(p);
        }
    }

    fn headers(&self, _body: &[u8], _batch: &BatchInfo) -> Vec<(String, String)> {
        vec![("content-type".into(), "application/x-ndjson".into())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::encode::test_records;

    #[test]
    fn each_record_is_one_line_that_reads_back() {
        let enc = JsonLinesEncoder::new();
        let mut pieces = Vec::new();
        for r in test_records::all() {
            let mut piece = Vec::new();
            enc.encode_record(&r, &mut piece).unwrap();
            pieces.push(piece);
        }
        let refs: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
        let mut body = Vec::new();
        enc.frame(&refs, &mut body);
        let text = String::from_utf8(body).unwrap();
        let back: Vec<Record> = text
            .lines()
            .map(|l| Record::from_json_line(l).unwrap())
            .collect();
        assert_eq!(back, test_records::all());
        assert!(text.ends_with('\n'));
    }

    #[test]
    fn a_non_finite_confidence_is_refused() {
        let mut r = test_records::dlp_match();
        if let Record::DlpMatch(m) = &mut r {
            m.confidence = f64::NAN;
        }
        let err = JsonLinesEncoder::new()
            .encode_record(&r, &mut Vec::new())
            .unwrap_err();
        assert!(err.to_string().contains("finite"), "{err}");
    }
}
