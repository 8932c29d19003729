//! Monitoring and error-tracking services: New Relic, Sentry, Grafana,
//! Dynatrace and PagerDuty. (Datadog sits with the cloud providers.)

use super::{near_word, prefixed, secret};
use crate::dlp::RuleSpec;
use crate::schema::Severity;

/// This group's rules.
pub(super) fn rules() -> Vec<RuleSpec> {
    vec![
        // New Relic docs "API keys": user keys NRAK- + 27, browser keys
        // NRJS- + 19 hex, Insights insert keys NRII- + 32, and license keys
        // of 40 characters ending in NRAL (gitleaks `new-relic-user-api-key`,
        // `-browser-api-token`, `-insert-key`).
        prefixed(
            "new_relic_key",
            "New Relic API or license key",
            r"\b(?P<value>NRAK-[A-Z0-9]{27}|NRJS-[a-f0-9]{19}|NRII-[A-Za-z0-9_-]{32}|[a-f0-9]{36}NRAL)(?:[^A-Za-z0-9_-]|$)",
            &["nrak-", "nrjs-", "nrii-", "nral"],
            64,
            "NEW_RELIC_KEY",
        )
        .tp("NEW_RELIC_API_KEY=NRAK-CPMFQ7ZK04FQ78CHZI5SA0RCONV", "NRAK-CPMFQ7ZK04FQ78CHZI5SA0RCONV")
        .tp(
            "license_key: 456937870884b2f58435f25c1a752d03a458NRAL",
            "456937870884b2f58435f25c1a752d03a458NRAL",
        )
        .tp("NEW_RELIC_INSERT_KEY=NRII-YDAhDIgYXwF-TXIJ_0Tb5s1rE971Dly3", "NRII-YDAhDIgYXwF-TXIJ_0Tb5s1rE971Dly3")
        .fp("NEW_RELIC_API_KEY=NRAK-XXXXXXXXXXXXXXXXXXXXXXXXXXX")
        .fp("NEW_RELIC_API_KEY=NRAK-EM36KU8958"),
        // Sentry docs "Auth tokens": organization tokens sntrys_ + base64
        // JSON (`{"iat":…`) + `_` + 43, user tokens sntryu_ + 64 hex
        // (gitleaks `sentry-org-token`, `sentry-user-token`).
        prefixed(
            "sentry_token",
            "Sentry auth token",
            r"\b(?P<value>sntrys_eyJ[A-Za-z0-9+/]{30,600}={0,2}_[A-Za-z0-9+/]{43}|sntryu_[a-f0-9]{64})(?:[^A-Za-z0-9+/_-]|$)",
            &["sntrys_", "sntryu_"],
            720,
            "SENTRY_TOKEN",
        )
        .tp(
            "SENTRY_AUTH_TOKEN=sntrys_eyJpYXQiOKgTTriqeu7iFgcqkTpgyDTCKgiD1xYFmUiWzoPU8juW2rX2JCGe+qwc5J7nmRy76RSeBM/WOO6v1rAJPi6QKzyoDhf5+rJCIPpSOSbaMKjin22Xat9wR4zut=_MwUuSWdK4N8gpXrW703YkSCW7R4niZoIlpaBe44z0xI",
            "sntrys_eyJpYXQiOKgTTriqeu7iFgcqkTpgyDTCKgiD1xYFmUiWzoPU8juW2rX2JCGe+qwc5J7nmRy76RSeBM/WOO6v1rAJPi6QKzyoDhf5+rJCIPpSOSbaMKjin22Xat9wR4zut=_MwUuSWdK4N8gpXrW703YkSCW7R4niZoIlpaBe44z0xI",
        )
        .tp("SENTRY_AUTH_TOKEN=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", "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")
        .fp("SENTRY_AUTH_TOKEN=sntrys_eyJ...")
        .fp("SENTRY_AUTH_TOKEN=sntryu_bd7ab0cf519bc890be022a48df669f0bb529a1b8"),
        // Grafana: Cloud access policy tokens glc_ + base64 (gitleaks
        // `grafana-cloud-api-token`), service-account tokens glsa_ + 32 +
        // `_` + 8 hex (`grafana-service-account-token`), and the retired
        // API keys, base64 of `{"k":"` (`grafana-api-key`).
        prefixed(
            "grafana_token",
            "Grafana token",
            r"\b(?P<value>glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|eyJrIjoi[A-Za-z0-9]{70,400}={0,2})(?:[^A-Za-z0-9+/=_-]|$)",
            &["glc_", "glsa_", "eyjrijoi"],
            480,
            "GRAFANA_TOKEN",
        )
        .tp("GRAFANA_CLOUD_TOKEN=glc_eyJvIjoiMiO5JfqTCBL9kRlxU66OnvVM7NLXZ8HA2p1msRiqKm5OLBfegTt7JlXfW4vZFvWiic0s9dADiwS2wtmEXe7ZdTfr9UUoc7OZTUb9==", "glc_eyJvIjoiMiO5JfqTCBL9kRlxU66OnvVM7NLXZ8HA2p1msRiqKm5OLBfegTt7JlXfW4vZFvWiic0s9dADiwS2wtmEXe7ZdTfr9UUoc7OZTUb9==")
        .tp(
            "Authorization: Bearer glsa_Kykwch69xgIUszKTVbqq5kfLSO99yqK6_a026a674",
            "glsa_Kykwch69xgIUszKTVbqq5kfLSO99yqK6_a026a674",
        )
        .fp("GRAFANA_TOKEN=glsa_zSofUa0drNWXHqAyQRjE")
        .fp("GRAFANA_TOKEN=glc_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        // Dynatrace docs "Access tokens": dt0c01. + 24 + `.` + 64
        // (gitleaks `dynatrace-api-token`).
        prefixed(
            "dynatrace_token",
            "Dynatrace API token",
            r"\bdt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}\b",
            &["dt0c01."],
            100,
            "DYNATRACE_TOKEN",
        )
        .tp(
            "DT_API_TOKEN=dt0c01.Y3SGXLP3JGQXYOW9TQF1IDPE.KYGPQO1BJLHNK0NNGOYZGULGXAVQL08C4IBI0XD8KVC8LQ7UIZ6FZR0255W184LQ",
            "dt0c01.Y3SGXLP3JGQXYOW9TQF1IDPE.KYGPQO1BJLHNK0NNGOYZGULGXAVQL08C4IBI0XD8KVC8LQ7UIZ6FZR0255W184LQ",
        )
        .tp(
            "Authorization: Api-Token dt0c01.V6OZ99ME68O4APED6QDGCY5B.NBUK5N01SPEPU2YSLYD476WQO3GK1PY9DNFMXFVQFVVCVLLG72I2OWW78I2INNRJ",
            "dt0c01.V6OZ99ME68O4APED6QDGCY5B.NBUK5N01SPEPU2YSLYD476WQO3GK1PY9DNFMXFVQFVVCVLLG72I2OWW78I2INNRJ",
        )
        .fp("DT_API_TOKEN=dt0c01.CUL0EOBCT6FUWYCW9IIW7CLM")
        .fp("DT_API_TOKEN=dt0c01.XXXXXXXXXXXXXXXXXXXXXXXX.XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
        // PagerDuty REST API keys: 20 characters of letters, digits, `_`,
        // `+` and `-` (user keys start `u+`), after a PagerDuty word
        // (trufflehog `pagerdutyapikey`).
        secret(
            "pagerduty_api_key",
            "PagerDuty API key",
            Severity::Critical,
            &near_word("pager_?duty", "[A-Za-z0-9_+-]{20}"),
        )
        .keywords(&["pagerduty", "pager_duty"])
        .max_len(128)
        .validator(super::entropy(3.0))
        .label("PAGERDUTY_KEY")
        .tp("PAGERDUTY_API_KEY=BgDVndNsDMTTg3PE17X5", "BgDVndNsDMTTg3PE17X5")
        .tp("pagerduty_token = 'u+2Rdkr0gEdipqeFZiSL'", "u+2Rdkr0gEdipqeFZiSL")
        .fp("PAGERDUTY_SERVICE=checkout-service-prod")
        .fp("PAGERDUTY_API_KEY=your-pagerduty-api-key"),
        // Splunk HTTP Event Collector tokens are UUIDs, sent as
        // `Authorization: Splunk <token>` (Splunk docs "Set up and use HTTP
        // Event Collector"); a UUID alone is an id, so a Splunk word or
        // the HEC variable name must come first.
        secret(
            "splunk_hec_token",
            "Splunk HTTP Event Collector token",
            Severity::Critical,
            &near_word(
                "splunk|hec_?token|hec-token",
                "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
            ),
        )
        .keywords(&["splunk", "hec_token", "hectoken", "hec-token"])
        .max_len(128)
        .validator(super::entropy(3.0))
        .label("SPLUNK_HEC_TOKEN")
        .tp(
            r#"curl https://splunk.example.com:8088/services/collector -H "Authorization: Splunk 7c1e9a42-5b3d-4f6e-9a8b-2d4c6e8f0a1b" -d '{"event": "x"}'"#,
            "7c1e9a42-5b3d-4f6e-9a8b-2d4c6e8f0a1b",
        )
        .tp("SPLUNK_HEC_TOKEN=e4f1b2c3-9d8a-4b7c-8e6f-5a4b3c2d1e0f", "e4f1b2c3-9d8a-4b7c-8e6f-5a4b3c2d1e0f")
        .fp("SPLUNK_HEC_TOKEN=00000000-0000-0000-0000-000000000000")
        .fp("splunk search finished: 12 events, index=main"),
    ]
}
