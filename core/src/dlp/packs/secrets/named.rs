//! Keys found by a name rather than by a format: assigned to a name that
//! ends in `key` (`STRIPE_KEY=…`, `const trelloKey = '…'`), or written
//! after the name of a vendor whose keys are only a run of one alphabet
//! (`my trello key is …`). Neither name says the value is random, so both
//! rules hold the value to a token's shape.
//!
//! The vendors are those gitleaks 8.30 has a rule for and the other rules
//! here do not cover (`cmd/generate/config/rules/` in
//! github.com/gitleaks/gitleaks, read for the vendor words and the values'
//! lengths and alphabets only).

use super::credentials::{assignment, not_literals};
use super::{entropy, secret};
use crate::dlp::{RuleSpec, TriggerShape};
use crate::schema::Severity;

/// Vendor words, as a regex alternation, before keys of 14 to 90 token
/// characters: Adafruit, Beamer, Bittrex, Codecov, Coinbase, Confluent,
/// Drone CI, Etsy, Fastly, Finicity, Finnhub, Flickr, FreshBooks, Gitter,
/// GoCardless, Intercom, KuCoin, LinkedIn, Looker, Mattermost,
/// MessageBird, Private AI, RapidAPI, Sendbird, Snyk, Squarespace, Sumo
/// Logic, Travis CI, Trello, Twitch and Zendesk.
const VENDORS: &str = "adafruit|beamer|bittrex|codecov|coinbase|confluent|droneci|drone[_-]ci|etsy|fastly|finicity|finnhub|flickr|freshbooks|gitter|gocardless|intercom|kucoin|linked[_-]?in|looker|mattermost|message[_-]?bird|private[_-]?ai|rapidapi|sendbird|snyk|squarespace|sumo(?:[_-]?logic|[_-])|travis|trello|twitch|zendesk";

/// The same words as literals, lower case: every spelling the alternation
/// allows, so that each match contains one.
const VENDOR_KEYWORDS: &[&str] = &[
    "adafruit",
    "beamer",
    "bittrex",
    "codecov",
    "coinbase",
    "confluent",
    "droneci",
    "drone_ci",
    "drone-ci",
    "etsy",
    "fastly",
    "finicity",
    "finnhub",
    "flickr",
    "freshbooks",
    "gitter",
    "gocardless",
    "intercom",
    "kucoin",
    "linkedin",
    "linked_in",
    "linked-in",
    "looker",
    "mattermost",
    "messagebird",
    "message_bird",
    "message-bird",
    "privateai",
    "private_ai",
    "private-ai",
    "rapidapi",
    "sendbird",
    "snyk",
    "squarespace",
    "sumologic",
    "sumo_logic",
    "sumo-logic",
    "sumo_",
    "sumo-",
    "travis",
    "trello",
    "twitch",
    "zendesk",
];

/// Snake or kebab case names in one case (`user_profile_settings_v2`,
/// `BUILD_LINUX_X86_64`): a letter past `f` in some part, so that a UUID or
/// a hex key is not taken for a name.
const ONE_CASE_NAMES: [&str; 4] = [
    r"(?:[g-z]|[a-z][a-z0-9]*[g-z])[a-z0-9]*(?:[_-][a-z0-9]+)+",
    r"[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*[_-][a-z0-9]*[g-z][a-z0-9]*(?:[_-][a-z0-9]+)*",
    r"(?:[G-Z]|[A-Z][A-Z0-9]*[G-Z])[A-Z0-9]*(?:[_-][A-Z0-9]+)+",
    r"[A-Z][A-Z0-9]*(?:[_-][A-Z0-9]+)*[_-][A-Z0-9]*[G-Z][A-Z0-9]*(?:[_-][A-Z0-9]+)*",
];

/// Values neither rule reports: [`not_literals`], values without a digit
/// or without a letter (words, numbers), snake or kebab case names in one
/// case (`user_profile_settings_v2`), and `more`.
fn not_token_shaped(more: &[&'static str]) -> Vec<&'static str> {
    let mut dropped = not_literals();
    dropped.extend(ONE_CASE_NAMES);
    dropped.extend([r"[^0-9]*", r"[^A-Za-z]*"]);
    dropped.extend(more);
    dropped
}

/// What `key_assignment` drops besides [`not_token_shaped`]'s: values with
/// a character no base64, hex or URL-safe token holds, shorter than 16,
/// dotted names (`settings.profile.title2`), file names with any
/// extension, and publishable keys, which are public by design (Stripe's
/// `pk_live_`, `pk_test_`).
const KEY_VALUES_DROPPED: [&str; 5] = [
    r".*[^A-Za-z0-9+/=_.~-].*",
    r".{0,15}",
    r"[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)+",
    r".*\.[a-z]{2,4}",
    r"pk_(?:live|test)_.*",
];

/// What `vendor_named_key` drops besides [`not_token_shaped`]'s: git
/// commit ids (40 lower-case hex characters, which changelogs print beside
/// `travis` or `codecov`), and camel or Pascal case words with a number
/// (`ZendeskTicketListView2`).
const VENDOR_VALUES_DROPPED: [&str; 2] = [r"[0-9a-f]{40}", r"[a-z]*(?:[A-Z][a-z]+)+[0-9]{0,4}"];

/// This group's rules.
pub(super) fn rules() -> Vec<RuleSpec> {
    vec![
        // Any other name that ends in `key` (`STRIPE_KEY`, `license_key`,
        // `stripeKey`, `signing.key`): vendors' keys are most often named
        // after the vendor, and gitleaks' `generic-api-key` reads every
        // `…key` name the same way. The name needs a separator or a camel
        // case `Key` before `key`, so that `monkey` or `hockey` is no name.
        // Such names also hold ids, column names, cache keys and public
        // keys, so the value is held to a token's shape: 16 or more
        // characters of base64, hex or URL-safe tokens, with a digit and a
        // letter, and 3.5 bits per character.
        secret(
            "key_assignment",
            "Key assignment",
            Severity::High,
            &assignment(r"[a-z0-9]+(?:[_.-]key|(?-i:[a-z0-9]Key))", 255),
        )
        .keywords(&["key"])
        .trigger_shape(TriggerShape::NameEnd)
        .max_len(560)
        .validator(entropy(3.5))
        .allow_patterns(&not_token_shaped(&KEY_VALUES_DROPPED))
        .confidence(0.5)
        .label("KEY")
        .tp("STRIPE_KEY=Zq8fK2pLmX4vR7tYab3dE5fG7hJ9kL1m", "Zq8fK2pLmX4vR7tYab3dE5fG7hJ9kL1m")
        .tp(
            r#"const mapboxKey = "Qm9FAKE3ZXJ5X2tleV8xMjM0NTY3ODkw";"#,
            "Qm9FAKE3ZXJ5X2tleV8xMjM0NTY3ODkw",
        )
        .tp("license_key: 7c1e4b2aFAKE4f0e9d3a6b8c1e2f4a5b", "7c1e4b2aFAKE4f0e9d3a6b8c1e2f4a5b")
        .tp(
            r#"{"twitch.signingKey": "k2v9FAKEq8z3x7w1m5n4b6c0d2f8"}"#,
            "k2v9FAKEq8z3x7w1m5n4b6c0d2f8",
        )
        .fp("STRIPE_KEY=sk_live_your_key_here")
        .fp("STRIPE_PUBLISHABLE_KEY=pk_live_51HfFAKE2eZvKYlo2C9xR3mT7qWp")
        .fp("monkey = Zq8fK2pLmX4vR7tYab3dE5fG7hJ9kL1m")
        .fp(r#"cache_key = "user_profile_settings_v2""#)
        .fp("i18nKey: settings.profile.title2")
        .fp("ENCRYPTION_KEY=${ENCRYPTION_KEY}")
        .fp(r#"primaryKey: "id""#)
        .fp("ssl_key: /etc/ssl/private/server2.key")
        .fp("idempotency_key = uuid4()")
        .tp(
            "env:\n  - name: KAGGLE_KEY\n    value: '9f2c4e7aFAKE1b3d5f6a8c0e2d4b6a8c'\n",
            "9f2c4e7aFAKE1b3d5f6a8c0e2d4b6a8c",
        )
        .fp("env:\n  - name: SIGNING_KEY\n    valueFrom:\n      secretKeyRef: {name: app, key: signing}\n")
        .tp(
            "SNYK_KEY=d8b3f1ae-FAKE-4c2e-9b7a-5e6f0a1b2c3d",
            "d8b3f1ae-FAKE-4c2e-9b7a-5e6f0a1b2c3d",
        )
        .tp(
            "const snykKey = 'e7a1c2d4-5b6f-4a8e-9c0d-1f2e3a4b5c6d';",
            "e7a1c2d4-5b6f-4a8e-9c0d-1f2e3a4b5c6d",
        ),
        // A vendor word, then within 64 bytes on the same line a value of
        // 14 to 90 token characters that is not part of a path, a host
        // name or a longer word (no `/` or `.` right before or after it).
        secret(
            "vendor_named_key",
            "Key after a vendor's name",
            Severity::High,
            &format!(
                r"(?i:{VENDORS})[^\r\n]{{0,64}}?[^A-Za-z0-9_/.-](?P<value>[A-Za-z0-9][A-Za-z0-9_-]{{13,87}}={{0,2}})(?:[^A-Za-z0-9_/.=-]|\.(?:[^A-Za-z0-9_]|$)|$)"
            ),
        )
        .keywords(VENDOR_KEYWORDS)
        .max_len(256)
        .validator(entropy(3.5))
        .allow_patterns(&not_token_shaped(&VENDOR_VALUES_DROPPED))
        .confidence(0.5)
        .label("VENDOR_KEY")
        .tp(
            "my trello key is C3J2FAKEG2LmlZGEONYlgCtjfIZ4SOcM, the token is separate",
            "C3J2FAKEG2LmlZGEONYlgCtjfIZ4SOcM",
        )
        .tp("LinkedIn client secret: z9CPFAKENa1Hedcm", "z9CPFAKENa1Hedcm")
        .tp(
            "Zendesk (admin) => 71fTFAKEGsbeKXgzg2sye9b2Rann76dEyTzAeKOm",
            "71fTFAKEGsbeKXgzg2sye9b2Rann76dEyTzAeKOm",
        )
        .fp("Travis CI build for commit 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b passed")
        .fp("See https://trello.com/b/XRrvFAKE9AW7hipTgadD/roadmap for the plan")
        .fp("codecov: upload coverage for build_linux_x86_64_release")
        .fp("Zendesk view ZendeskTicketListView2 replaces the old one")
        .fp("twitch.tv/videos/1234567890123456")
        .fp("trello key: your-trello-api-key-here"),
    ]
}
