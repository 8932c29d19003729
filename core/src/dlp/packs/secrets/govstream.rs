//! govstream's own API keys (`gvsk_<id>_<secret>`, `core/src/keys/`): a
//! key pasted into a prompt or a log is a leaked credential like any
//! other vendor's, and our own scanner should be the first to say so.

use super::{entropy, secret};
use crate::dlp::RuleSpec;
use crate::schema::Severity;

/// This group's rules.
pub(super) fn rules() -> Vec<RuleSpec> {
    vec![
        // `gvsk_`, a 4–32 character lowercase id, `_`, and 52 characters of
        // lowercase base32 (32 random bytes): `keys::ApiKey`'s shape.
        secret(
            "govstream_api_key",
            "govstream API key",
            Severity::Critical,
            r"\b(?P<value>gvsk_[a-z0-9]{4,32}_[a-z2-7]{52})(?:[^0-9A-Za-z_-]|$)",
        )
        .keywords(&["gvsk_"])
        .max_len(96)
        .validator(entropy(3.5))
        .label("GOVSTREAM_KEY")
        .tp(
            "Authorization: Bearer gvsk_fakeab12_mzxw6ytboi4testonly7examplekeyq3hjkabcdefgh2345mnopq",
            "gvsk_fakeab12_mzxw6ytboi4testonly7examplekeyq3hjkabcdefgh2345mnopq",
        )
        .tp(
            r#"{"X-API-Key": "gvsk_k7f3q2ma_notarealkey4testonly5fakefakeqwertyuiopasdfghjklzxcv"}"#,
            "gvsk_k7f3q2ma_notarealkey4testonly5fakefakeqwertyuiopasdfghjklzxcv",
        )
        .fp("GOVSTREAM_KEY=gvsk_<id>_<secret>")
        .fp("gvsk_k7f3q2ma_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
        // Groq's keys start `gsk_`; they are not ours.
        .fp("GROQ_API_KEY=gsk_4testonly5fakefakeqwertyuiopasdfghjklzxcvbnm23456"),
    ]
}
