//! Encoders: how a batch of records becomes the body and headers of one
//! request for one kind of target (a webhook, Splunk HEC, Elasticsearch,
//! Sentinel, an OpenTelemetry collector, syslog). The pipeline batches,
//! retries and counts; an encoder only knows its target's wire format.

use crate::Result;
use crate::schema::Record;
use std::fmt;

/// What an encoder knows about the batch it frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchInfo {
    /// A stable id for this batch (the same records give the same id), used
    /// as an idempotency key (`webhook-id`).
    pub batch_id: String,
    /// Milliseconds since the epoch when the request is (re)sent.
    pub now_ms: i64,
}

/// How one record of a batch fared, for targets that answer per item
/// (Elasticsearch `_bulk`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemOutcome {
    /// Stored.
    Delivered,
    /// Failed in a way that may succeed later (HTTP 429, 5xx per item).
    Retry(String),
    /// Failed for good (a mapping error): goes to the dead letters.
    Permanent(String),
}

/// One target's wire format.
///
/// The pipeline calls `encode_record` once per record when it is queued (so
/// it can batch by encoded size), then `frame` and `headers` when it builds a
/// request from a batch of those pieces.
pub trait Encoder: Send + Sync + fmt::Debug {
    /// Short name (`splunk-hec`), used in stats and docs.
    fn name(&self) -> &'static str;

    /// Appends the encoded form of one record to `out`.
    fn encode_record(&self, record: &Record, out: &mut Vec<u8>) -> Result<()>;

    /// Appends the request body framing `pieces` (each from `encode_record`).
    fn frame(&self, pieces: &[&[u8]], out: &mut Vec<u8>);

    /// Headers for a request with `body` (content type, authorization,
    /// signatures). Secrets in them never appear in `Debug` output.
    fn headers(&self, body: &[u8], batch: &BatchInfo) -> Vec<(String, String)>;

    /// The largest body the target accepts; the pipeline splits batches to
    /// stay under it.
    fn max_body_bytes(&self) -> Option<usize> {
        None
    }

    /// True when the target accepts a gzip-compressed body
    /// (`Content-Encoding: gzip`); the HTTP driver compresses then.
    fn accepts_gzip(&self) -> bool {
        false
    }

    /// The path appended to a sink URL that has none
    /// (`/services/collector/event`).
    fn default_path(&self) -> Option<&'static str> {
        None
    }

    /// Per-record outcomes from a successful (2xx) response, for targets
    /// that report them; `None` means every record was delivered.
    fn item_outcomes(&self, _body: &[u8], _records: usize) -> Option<Vec<ItemOutcome>> {
        None
    }
}

/// A shared encoder is an encoder, so a host can keep a handle on one it gave
/// a pipeline (to rotate the Azure token of an [`AzureLogsEncoder`], say).
impl<E: Encoder + ?Sized> Encoder for std::sync::Arc<E> {
    fn name(&self) -> &'static str {
        (**self).name()
    }

    fn encode_record(&self, record: &Record, out: &mut Vec<u8>) -> Result<()> {
        (**self).encode_record(record, out)
    }

    fn frame(&self, pieces: &[&[u8]], out: &mut Vec<u8>) {
        (**self).frame(pieces, out)
    }

    fn headers(&self, body: &[u8], batch: &BatchInfo) -> Vec<(String, String)> {
        (**self).headers(body, batch)
    }

    fn max_body_bytes(&self) -> Option<usize> {
        (**self).max_body_bytes()
    }

    fn accepts_gzip(&self) -> bool {
        (**self).accepts_gzip()
    }

    fn default_path(&self) -> Option<&'static str> {
        (**self).default_path()
    }

    fn item_outcomes(&self, body: &[u8], records: usize) -> Option<Vec<ItemOutcome>> {
        (**self).item_outcomes(body, records)
    }
}

mod azure_logs;
mod cef;
mod ecs;
mod elasticsearch;
mod facts;
mod json_lines;
mod ocsf;
mod ocsf_encoder;
mod otlp_logs;
mod splunk_hec;
mod syslog;
#[cfg(test)]
mod test_records;
mod webhook;

pub use azure_logs::{AZURE_LOGS_MAX_BODY_BYTES, AzureLogsConfig, AzureLogsEncoder};
pub use cef::{CefConfig, CefEncoder};
pub use ecs::{ECS_VERSION, record_to_ecs};
pub use elasticsearch::{ElasticsearchAuth, ElasticsearchBulkConfig, ElasticsearchBulkEncoder};
pub use json_lines::JsonLinesEncoder;
pub use ocsf::{OCSF_VERSION, record_to_ocsf};
pub use ocsf_encoder::{OcsfConfig, OcsfEncoder, OcsfFraming};
pub use otlp_logs::{OtlpLogsConfig, OtlpLogsEncoder};
pub use splunk_hec::{SPLUNK_HEC_EVENT_PATH, SplunkHecConfig, SplunkHecEncoder};
pub use syslog::{SyslogConfig, SyslogEncoder, SyslogFraming, SyslogMessage};
pub use webhook::{DEFAULT_WEBHOOK_EVENT_TYPE, WebhookConfig, WebhookEncoder};

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_shared_encoder_answers_as_the_encoder_and_sees_its_updates() {
        let azure = Arc::new(AzureLogsEncoder::new(AzureLogsConfig::new("first")));
        let shared: Box<dyn Encoder> = Box::new(Arc::clone(&azure));
        azure.set_bearer_token("second");
        let batch = BatchInfo {
            batch_id: "b".into(),
            now_ms: 0,
        };
        let headers = shared.headers(b"[]", &batch);
        assert!(headers.contains(&("authorization".into(), "Bearer second".into())));
        assert_eq!(shared.name(), "azure-logs");
        assert_eq!(shared.max_body_bytes(), Some(AZURE_LOGS_MAX_BODY_BYTES));

        let es: Box<dyn Encoder> = Box::new(Arc::new(ElasticsearchBulkEncoder::new(
            ElasticsearchBulkConfig::new("govstream", ElasticsearchAuth::None),
        )));
        assert_eq!(es.default_path(), Some("/_bulk"));
        assert!(es.accepts_gzip());
        let errors = br#"{"errors":true,"items":[{"index":{"status":429}}]}"#;
        assert!(matches!(
            es.item_outcomes(errors, 1).as_deref(),
            Some([ItemOutcome::Retry(_)])
        ));
    }
}
