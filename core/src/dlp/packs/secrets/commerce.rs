//! Commerce platforms: Stripe (and Standard Webhooks signing secrets) and
//! Shopify.

use super::{entropy, secret};
use crate::dlp::RuleSpec;
use crate::schema::Severity;

/// This group's rules.
pub(super) fn rules() -> Vec<RuleSpec> {
    vec![
        // Stripe docs "API keys": secret (sk_) and restricted (rk_) keys,
        // live or test mode; gitleaks `stripe-access-token`. Keys run to a
        // few hundred characters.
        secret(
            "stripe_live_key",
            "Stripe live secret or restricted key",
            Severity::Critical,
            r"\b[rs]k_live_[0-9A-Za-z]{24,247}\b",
        )
        .keywords(&["sk_live_", "rk_live_"])
        .max_len(264)
        .validator(entropy(3.5))
        .label("STRIPE_KEY")
        .tp(
            "stripe.api_key = 'sk_live_FAKEexample3AHOVcjqx4BIP'",
            "sk_live_FAKEexample3AHOVcjqx4BIP",
        )
        .tp(
            "STRIPE_RESTRICTED_KEY=rk_live_51FAKEexampleRestricted3EPalw7ITep0BMXit4FQbmx8JUfq1CNYju5GRcny9KVgr2DOZkv6HSdozALWhs3EPalw7ITep0BM",
            "rk_live_51FAKEexampleRestricted3EPalw7ITep0BMXit4FQbmx8JUfq1CNYju5GRcny9KVgr2DOZkv6HSdozALWhs3EPalw7ITep0BM",
        )
        .fp("Live keys start with sk_live_ and must stay on the server.")
        .fp("STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx")
        .fp("publishable key pk_live_FAKEexample3AHOVcjqx4BIP is meant for browsers"),
        // Test-mode keys move no money but still read and write the test
        // account, hence high.
        secret(
            "stripe_test_key",
            "Stripe test-mode secret or restricted key",
            Severity::High,
            r"\b[rs]k_test_[0-9A-Za-z]{24,247}\b",
        )
        .keywords(&["sk_test_", "rk_test_"])
        .max_len(264)
        .validator(entropy(3.5))
        .label("STRIPE_TEST_KEY")
        .tp(
            "curl https://api.stripe.com/v1/charges -u sk_test_FAKEexample3GTgt6JWjw9MZ:",
            "sk_test_FAKEexample3GTgt6JWjw9MZ",
        )
        .tp(
            "STRIPE_KEY=rk_test_51TestOnly38DINSXchmrw16BGLQVafkpuz49EJO",
            "rk_test_51TestOnly38DINSXchmrw16BGLQVafkpuz49EJO",
        )
        .fp("STRIPE_KEY=sk_test_short123")
        .fp("STRIPE_KEY=sk_test_000000000000000000000000"),
        // Stripe webhook endpoint secrets (Stripe docs "Check the webhook
        // signatures") and Standard Webhooks secrets (standardwebhooks.com,
        // base64 after the prefix) share `whsec_`. Whoever holds one can
        // forge events, such as a paid invoice.
        secret(
            "webhook_signing_secret",
            "Webhook signing secret (Stripe, Standard Webhooks)",
            Severity::Critical,
            r"\bwhsec_[0-9A-Za-z+/]{24,88}={0,2}",
        )
        .keywords(&["whsec_"])
        .max_len(100)
        .validator(entropy(3.5))
        .label("WEBHOOK_SECRET")
        .tp(
            "STRIPE_WEBHOOK_SECRET=whsec_FAKEexample3AHOVcjqx4BIPWdkry5CJ",
            "whsec_FAKEexample3AHOVcjqx4BIPWdkry5CJ",
        )
        .tp(
            r#"wh = Webhook("whsec_TestOnlyDOZkv6FQbmx8HSdoz+JUfq1ALWhs3CNYju5E")"#,
            "whsec_TestOnlyDOZkv6FQbmx8HSdoz+JUfq1ALWhs3CNYju5E",
        )
        .fp("STRIPE_WEBHOOK_SECRET=whsec_...")
        .fp("STRIPE_WEBHOOK_SECRET=whsec_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        // Shopify docs "Access tokens": shpat_ (Admin API), shpca_ (custom
        // app), shppa_ (private app), shpss_ (shared secret), 32 hex each;
        // gitleaks `shopify-*`.
        secret(
            "shopify_token",
            "Shopify access token or shared secret",
            Severity::Critical,
            r"\bshp(?:at|ca|pa|ss)_[0-9a-fA-F]{32}\b",
        )
        .keywords(&["shpat_", "shpca_", "shppa_", "shpss_"])
        .max_len(48)
        .validator(entropy(3.0))
        .label("SHOPIFY_TOKEN")
        .tp(
            "X-Shopify-Access-Token: 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",
            "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",
        )
        .tp(
            "SHOPIFY_API_SECRET=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",
            "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",
        )
        .fp("SHOPIFY_TOKEN=shpat_fa4edeadbeef3a18f6d4b2907e5c3a1")
        .fp("SHOPIFY_TOKEN=shpat_00000000000000000000000000000000"),
    ]
}
