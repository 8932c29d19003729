//! Building a checked [`Sink`]: its encoder and destination, shared by
//! every pipeline it is given to.

use super::kinds::{SinkOptions, SyslogPayload};
use super::{Problems, Sink};
use crate::Problem;
use crate::api::ApiError;
use crate::pipeline::encode::{
    AzureLogsConfig, AzureLogsEncoder, CefConfig, CefEncoder, ElasticsearchAuth,
    ElasticsearchBulkConfig, ElasticsearchBulkEncoder, Encoder, JsonLinesEncoder, OcsfConfig,
    OcsfEncoder, OtlpLogsConfig, OtlpLogsEncoder, SplunkHecConfig, SplunkHecEncoder, SyslogConfig,
    SyslogEncoder, SyslogMessage, WebhookConfig, WebhookEncoder,
};
use crate::pipeline::{Destination, SinkConfig};
use std::sync::Arc;

impl Sink {
    /// Checks the sink and builds it: its configuration, encoder and
    /// destination. Errors are `validation` errors listing every problem.
    pub fn build(&self) -> Result<BuiltSink, ApiError> {
        self.build_at("$")
    }

    /// [`Sink::build`], with problems located below `root`.
    pub fn build_at(&self, root: &str) -> Result<BuiltSink, ApiError> {
        let problems = self.problems(root);
        if !problems.is_empty() {
            return Err(ApiError::validation("sink", problems));
        }
        let invalid = |what: &str| {
            ApiError::validation(
                "sink",
                vec![Problem::new(format!("{root}.{what}"), "not a valid value")],
            )
        };
        let http = |url: &str| Destination::http(url).ok_or_else(|| invalid("url"));
        let tcp = |addr: &str| Destination::tcp(addr).ok_or_else(|| invalid("address"));
        let mut azure = None;
        let (encoder, destination): (Arc<dyn Encoder>, Destination) = match self {
            Sink::Jsonl(s) => (
                Arc::new(JsonLinesEncoder),
                Destination::File {
                    path: s.path.clone(),
                    max_bytes: s.max_bytes,
                    keep: s.keep,
                },
            ),
            Sink::Memory(s) => (
                Arc::new(JsonLinesEncoder),
                Destination::Memory {
                    capacity: s.capacity,
                },
            ),
            Sink::Callback(_) => (Arc::new(JsonLinesEncoder), Destination::Callback),
            Sink::Http(s) => (Arc::new(JsonLinesEncoder), http(&s.url)?),
            Sink::Webhook(s) => {
                let config = WebhookConfig {
                    secrets: s.secret.list(),
                    event_type: s.event_type.clone(),
                };
                // The encoder's own errors name the secret by position.
                let encoder = WebhookEncoder::new(config).map_err(|e| {
                    ApiError::validation(
                        "sink",
                        vec![Problem::new(format!("{root}.secret"), e.to_string())],
                    )
                })?;
                (Arc::new(encoder), http(&s.url)?)
            }
            Sink::SplunkHec(s) => {
                let config = SplunkHecConfig {
                    token: s.token.clone(),
                    host: s.host.clone(),
                    source: s.source.clone(),
                    sourcetype: s.sourcetype.clone(),
                    index: s.index.clone(),
                };
                (Arc::new(SplunkHecEncoder::new(config)), http(&s.url)?)
            }
            Sink::Elasticsearch(s) => {
                let auth = match (&s.api_key, &s.username, &s.password) {
                    (Some(key), _, _) => ElasticsearchAuth::ApiKey(key.clone()),
                    (None, Some(username), Some(password)) => ElasticsearchAuth::Basic {
                        username: username.clone(),
                        password: password.clone(),
                    },
                    _ => ElasticsearchAuth::None,
                };
                let config = ElasticsearchBulkConfig {
                    index: s.index.clone(),
                    findings_index: s.findings_index.clone(),
                    auth,
                };
                (
                    Arc::new(ElasticsearchBulkEncoder::new(config)),
                    http(&s.url)?,
                )
            }
            Sink::AzureLogs(s) => {
                let encoder = Arc::new(AzureLogsEncoder::new(AzureLogsConfig::new(
                    s.bearer_token.clone(),
                )));
                azure = Some(Arc::clone(&encoder));
                (encoder, http(&s.url)?)
            }
            Sink::Otlp(s) => {
                let mut headers: Vec<(String, String)> = s
                    .headers
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                if let Some(t) = &s.token {
                    headers.push(("authorization".into(), format!("Bearer {t}")));
                }
                let config = OtlpLogsConfig {
                    service_name: s.service_name.clone(),
                    resource_attributes: s
                        .resource_attributes
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                    headers,
                    ..OtlpLogsConfig::default()
                };
                (Arc::new(OtlpLogsEncoder::new(config)), http(&s.url)?)
            }
            Sink::Syslog(s) => {
                let config = SyslogConfig {
                    facility: s.facility,
                    hostname: s.hostname.clone(),
                    app_name: s.app_name.clone(),
                    framing: s.framing,
                    message: match s.message {
                        SyslogPayload::Json => SyslogMessage::Json,
                        SyslogPayload::Cef => SyslogMessage::Cef(CefConfig::default()),
                    },
                    ..SyslogConfig::default()
                };
                let encoder = SyslogEncoder::new(config).map_err(|e| {
                    ApiError::validation("sink", vec![Problem::new(root, e.to_string())])
                })?;
                (Arc::new(encoder), tcp(&s.address)?)
            }
            Sink::Cef(s) => (
                Arc::new(CefEncoder::new(CefConfig::default())),
                tcp(&s.address)?,
            ),
            Sink::Ocsf(s) => {
                let config = OcsfConfig {
                    framing: s.framing,
                    authorization: s.authorization.clone(),
                    ..OcsfConfig::default()
                };
                (Arc::new(OcsfEncoder::new(config)), http(&s.url)?)
            }
        };
        Ok(BuiltSink {
            kind: self.kind(),
            config: self.options().config(self.name()),
            encoder,
            destination,
            azure,
        })
    }
}

/// A checked sink with its encoder built: what a pipeline is made of. Its
/// encoder is shared by every pipeline it is given to (so
/// [`BuiltSink::set_bearer_token`] reaches them all).
#[derive(Clone)]
pub struct BuiltSink {
    kind: &'static str,
    config: SinkConfig,
    encoder: Arc<dyn Encoder>,
    destination: Destination,
    azure: Option<Arc<AzureLogsEncoder>>,
}

impl std::fmt::Debug for BuiltSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltSink")
            .field("kind", &self.kind)
            .field("name", &self.config.name)
            .field("destination", &self.destination)
            .finish()
    }
}

impl BuiltSink {
    /// The sink's `kind`.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The sink's name.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// Its queueing settings.
    pub fn config(&self) -> &SinkConfig {
        &self.config
    }

    /// Where it delivers.
    pub fn destination(&self) -> &Destination {
        &self.destination
    }

    /// Its batching and retry settings.
    pub fn options(&self) -> SinkOptions {
        SinkOptions::from_config(&self.config)
    }

    /// The same sink (sharing its encoder) with other settings. Checked when
    /// a pipeline is built from it.
    pub fn with_options(&self, options: &SinkOptions) -> BuiltSink {
        BuiltSink {
            config: options.config(&self.config.name),
            ..self.clone()
        }
    }

    /// Replaces the Entra ID token of an `azure_logs` sink in every pipeline
    /// using it, from the next request on.
    pub fn set_bearer_token(&self, token: &str) -> Result<(), ApiError> {
        let Some(azure) = &self.azure else {
            return Err(ApiError::input(
                "sink",
                format!(
                    "`{}` is a {} sink; only azure_logs sinks take a bearer token",
                    self.config.name, self.kind
                ),
            ));
        };
        let mut p = Problems {
            root: "$",
            list: Vec::new(),
        };
        p.credential("bearer_token", token);
        if let Some(problem) = p.list.into_iter().next() {
            return Err(ApiError::input(problem.path, problem.message));
        }
        azure.set_bearer_token(token);
        Ok(())
    }

    /// The pipeline's view of it.
    pub fn spec(&self) -> crate::pipeline::SinkSpec {
        crate::pipeline::SinkSpec::new(
            self.config.clone(),
            Box::new(Arc::clone(&self.encoder)),
            self.destination.clone(),
        )
    }
}
