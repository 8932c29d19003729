//! OCSF events ([`record_to_ocsf`](super::record_to_ocsf)) as JSON lines
//! or one JSON array per request, for Security Lake style collectors and
//! webhooks.

use super::ocsf::ocsf_event;
use super::{BatchInfo, Encoder, facts};
use crate::Result;
use crate::schema::Record;
use std::fmt;

/// How [`OcsfEncoder`] frames events.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OcsfFraming {
    /// One event per line (`application/x-ndjson`): the form object stores
    /// and Firehose-style collectors take.
    #[default]
    JsonLines,
    /// One JSON array per request (`application/json`), for webhooks.
    JsonArray,
}

/// Settings of an [`OcsfEncoder`]. `Debug` never shows the authorization.
#[derive(Clone)]
pub struct OcsfConfig {
    /// Lines or an array.
    pub framing: OcsfFraming,
    /// A full `Authorization` header value (`Bearer …`), if the target needs
    /// one.
    pub authorization: Option<String>,
    /// `metadata.product.version`; defaults to this crate's version.
    pub product_version: String,
}

impl Default for OcsfConfig {
    fn default() -> Self {
        OcsfConfig {
            framing: OcsfFraming::default(),
            authorization: None,
            product_version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

impl fmt::Debug for OcsfConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OcsfConfig")
            .field("framing", &self.framing)
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "<redacted>"),
            )
            .field("product_version", &self.product_version)
            .finish()
    }
}

/// OCSF events as JSON lines or a JSON array.
#[derive(Clone, Debug)]
pub struct OcsfEncoder {
    config: OcsfConfig,
}

impl OcsfEncoder {
    /// The encoder.
    pub fn new(config: OcsfConfig) -> Self {
        OcsfEncoder { config }
    }
}

impl Encoder for OcsfEncoder {
    fn name(&self) -> &'static str {
        "ocsf"
    }

    fn encode_record(&self, record: &Record, out: &mut Vec<u8>) -> Result<()> {
        facts::ensure_encodable(record)?;
        facts::time_ms(record)?;
        let event = ocsf_event(record, &self.config.product_version);
        let text = serde_json::to_string(&event)
            .map_err(|e| facts::encode_error(record, e.to_string()))?;
        out.extend_from_slice(text.as_bytes());
        if self.config.framing == OcsfFraming::JsonLines {
            out.push(b'\n');
        }
        Ok(())
    }

    fn frame(&self, pieces: &[&[u8]], out: &mut Vec<u8>) {
        match self.config.framing {
            OcsfFraming::JsonLines => pieces.iter().for_each(|p| out.extend_from_slice(p)),
            OcsfFraming::JsonArray => {
                out.push(b'[');
                facts::join_json(pieces, out);
                out.push(b']');
            }
        }
    }

    fn headers(&self, _body: &[u8], _batch: &BatchInfo) -> Vec<(String, String)> {
        let content_type = match self.config.framing {
            OcsfFraming::JsonLines => "application/x-ndjson",
            OcsfFraming::JsonArray => "application/json",
        };
        let mut h = vec![("content-type".into(), content_type.into())];
        if let Some(auth) = &self.config.authorization {
            h.push(("authorization".into(), auth.clone()));
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::encode::test_records;
    use serde_json::Value;

    #[test]
    fn the_encoder_frames_lines_or_an_array_and_hides_auth() {
        let records = test_records::all();
        for framing in [OcsfFraming::JsonLines, OcsfFraming::JsonArray] {
            let enc = OcsfEncoder::new(OcsfConfig {
                framing,
                authorization: Some("Bearer abc.def".into()),
                product_version: "9.9.9".into(),
            });
            let pieces: Vec<Vec<u8>> = records
                .iter()
                .map(|r| {
                    let mut p = Vec::new();
                    enc.encode_record(r, &mut p).unwrap();
                    p
                })
                .collect();
            let refs: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
            let mut body = Vec::new();
            enc.frame(&refs, &mut body);
            let events: Vec<Value> = match framing {
                OcsfFraming::JsonLines => body
                    .split(|b| *b == b'\n')
                    .filter(|l| !l.is_empty())
                    .map(|l| serde_json::from_slice(l).unwrap())
                    .collect(),
                OcsfFraming::JsonArray => serde_json::from_slice(&body).unwrap(),
            };
            assert_eq!(events.len(), records.len());
            assert_eq!(events[0]["metadata"]["product"]["version"], "9.9.9");
            assert!(!format!("{enc:?}").contains("abc.def"));
        }
    }
}
