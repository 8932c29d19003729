//! Commerce and payment platforms: Stripe (and Standard Webhooks signing
//! secrets), Shopify, Square, Braintree (PayPal), Adyen, Flutterwave,
//! Paddle, Plaid and WooCommerce, and the shipping and travel APIs Shippo,
//! EasyPost and Duffel.

use super::{prefixed, secret, token_entropy};
use crate::dlp::RuleSpec;
use crate::schema::Severity;

/// This group's rules.
pub(super) fn rules() -> Vec<RuleSpec> {
    vec![
        // Stripe docs "API keys": secret (sk_) and restricted (rk_) keys,
        // live or test mode; gitleaks `stripe-access-token` (which also
        // takes `_prod_` and bodies from 10 characters: older and
        // restricted keys are short). Keys run to a few hundred characters.
        secret(
            "stripe_live_key",
            "Stripe live secret or restricted key",
            Severity::Critical,
            r"\b[rs]k_(?:live|prod)_[0-9A-Za-z]{10,247}\b",
        )
        .keywords(&["sk_live_", "rk_live_", "sk_prod_", "rk_prod_"])
        .max_len(264)
        .validator(token_entropy(3.5))
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
        .fp("publishable key pk_live_FAKEexample3AHOVcjqx4BIP is meant for browsers")
        .tp("stripe.api_key = \"sk_live_JQ2TRVseSiyipW\"", "sk_live_JQ2TRVseSiyipW")
        .fp("STRIPE_SECRET_KEY=sk_live_************"),
        // Test-mode keys move no money but still read and write the test
        // account, hence high.
        secret(
            "stripe_test_key",
            "Stripe test-mode secret or restricted key",
            Severity::High,
            r"\b[rs]k_test_[0-9A-Za-z]{10,247}\b",
        )
        .keywords(&["sk_test_", "rk_test_"])
        .max_len(264)
        .validator(token_entropy(3.5))
        .label("STRIPE_TEST_KEY")
        .tp(
            "curl https://api.stripe.com/v1/charges -u sk_test_FAKEexample3GTgt6JWjw9MZ:",
            "sk_test_FAKEexample3GTgt6JWjw9MZ",
        )
        .tp(
            "STRIPE_KEY=rk_test_51TestOnly38DINSXchmrw16BGLQVafkpuz49EJO",
            "rk_test_51TestOnly38DINSXchmrw16BGLQVafkpuz49EJO",
        )
        .fp("STRIPE_KEY=sk_test_short")
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
        .validator(token_entropy(3.5))
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
        .validator(token_entropy(3.0))
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
        // Square docs "Access tokens": production access tokens sq0atp- +
        // 22 and EAAA + 60, OAuth application secrets sq0csp- + 43
        // (gitleaks `square-access-token`, `square-secret`).
        prefixed(
            "square_token",
            "Square access token or application secret",
            r"\b(?P<value>sq0atp-[A-Za-z0-9_-]{22}|sq0csp-[A-Za-z0-9_-]{43}|EAAA[A-Za-z0-9_+=-]{60})(?:[^A-Za-z0-9_+=-]|$)",
            &["sq0atp-", "sq0csp-", "eaaa"],
            80,
            "SQUARE_TOKEN",
        )
        .tp("SQUARE_ACCESS_TOKEN=EAAAH0zMq6fPCljSbP3iGwmlnfuXJw2zvjBUVo1BrkIqyO5Kxrg9dR-PhwAXqjCj", "EAAAH0zMq6fPCljSbP3iGwmlnfuXJw2zvjBUVo1BrkIqyO5Kxrg9dR-PhwAXqjCj")
        .tp("square_secret: sq0csp-M-J6_aPyWOFhH9qA-QK4B8YwI4YPXQxqSfHXy7XDF7B", "sq0csp-M-J6_aPyWOFhH9qA-QK4B8YwI4YPXQxqSfHXy7XDF7B")
        .tp("token = 'sq0atp-UynktzJMUre-qSm0NnzDQD'", "sq0atp-UynktzJMUre-qSm0NnzDQD")
        .fp("SQUARE_ACCESS_TOKEN=EAAAeLYd5afepjOMohgJIBVx3_SpgrNH7h")
        .fp("SQUARE_ACCESS_TOKEN=sq0atp-XXXXXXXXXXXXXXXXXXXXXX"),
        // Braintree (PayPal) access tokens: access_token$production$ +
        // 16 + `$` + 32 hex (secrets-patterns-db "PayPal Braintree Access
        // Token"), sandbox too.
        prefixed(
            "braintree_access_token",
            "Braintree (PayPal) access token",
            r"\baccess_token\$(?:production|sandbox)\$[0-9a-z]{16}\$[0-9a-f]{32}\b",
            &["access_token$production$", "access_token$sandbox$"],
            100,
            "BRAINTREE_TOKEN",
        )
        .tp(
            "BRAINTREE_TOKEN=access_token$production$pusfo351oqwtqefv$b672f459b70f6fa7bcd3328ef56bbc38",
            "access_token$production$pusfo351oqwtqefv$b672f459b70f6fa7bcd3328ef56bbc38",
        )
        .tp(
            "gateway = braintree.BraintreeGateway(access_token=\"access_token$sandbox$z3t8hag3kixqnmhr$b319eee795b28ebbee4732ecef3c9ade\")",
            "access_token$sandbox$z3t8hag3kixqnmhr$b319eee795b28ebbee4732ecef3c9ade",
        )
        .fp("BRAINTREE_TOKEN=access_token$production$xmuxc9no5wb7w2jf$")
        .fp("access_token$production$ is how live tokens start"),
        // Adyen API keys: AQE, base64, `=-`, a second base64 part of 43 and
        // `=`, sometimes a third part (Adyen docs "API credentials"; the
        // shape of Adyen's published example keys); gitleaks
        // `adyen-api-key` also takes AQE + 5 or more, `.`, 50–80.
        prefixed(
            "adyen_api_key",
            "Adyen API key",
            r"\b(?P<value>AQE[A-Za-z0-9+/]{60,200}={0,2}-[A-Za-z0-9+/]{43}=(?:-[^\s'\x22`]{8,24})?|AQE[A-Za-z0-9]{5,40}\.[A-Za-z0-9_=-]{50,80})",
            &["aqe"],
            300,
            "ADYEN_KEY",
        )
        .tp(
            "ADYEN_API_KEY=AQEJjlAW/fXWgYlCp6qoCFO6na0W9qAKOeXmYq7aa5rsynP8JDUObZRGC8sqjQ7uDlSNTJ6qad4bD1lG3KWVYPKEAoh+G3DaBazA3cF=-whqrsbmN5mC4bM9aSNBdl9xzV/ODHNaPnsB8WRUNNxv=",
            "AQEJjlAW/fXWgYlCp6qoCFO6na0W9qAKOeXmYq7aa5rsynP8JDUObZRGC8sqjQ7uDlSNTJ6qad4bD1lG3KWVYPKEAoh+G3DaBazA3cF=-whqrsbmN5mC4bM9aSNBdl9xzV/ODHNaPnsB8WRUNNxv=",
        )
        .tp(
            "client.xApiKey = \"AQE/AGY/wHXAWM/0ibqRF2am3eFOcGZd6D7USiiFEtv+23YmrBFfOWD6qSVTDk9d8KlXXXE9+qXe+YpCFNss1SsQU8jQC=-atZ4dNCC8ekbGQ+tTqRJc1X+Aki68gpR4LMXBdCtuvC=\";",
            "AQE/AGY/wHXAWM/0ibqRF2am3eFOcGZd6D7USiiFEtv+23YmrBFfOWD6qSVTDk9d8KlXXXE9+qXe+YpCFNss1SsQU8jQC=-atZ4dNCC8ekbGQ+tTqRJc1X+Aki68gpR4LMXBdCtuvC=",
        )
        .fp("ADYEN_API_KEY=AQEl6K8LEgBx+n1+nCL794IT6iyym4GW0")
        .tp("adyen_key = AQEyhmfx.mDXox4ah_C0QbKuOHR449gaqxBoMVpTwHeRlik6cQ8462xocOxlHdJ3aCSjw", "AQEyhmfx.mDXox4ah_C0QbKuOHR449gaqxBoMVpTwHeRlik6cQ8462xocOxlHdJ3aCSjw")
        .fp("ADYEN_API_KEY=AQE..."),
        // Flutterwave secret and encryption keys: FLWSECK- / FLWSECK_TEST-
        // + 32 hex + `-X`, FLWSECK_TEST + 12 hex (gitleaks
        // `flutterwave-secret-key`, `-encryption-key`).
        prefixed(
            "flutterwave_key",
            "Flutterwave secret key",
            r"\b(?:FLWSECK(?:_TEST)?-[a-h0-9]{32}-X|FLWSECK_TEST[a-h0-9]{12})\b",
            &["flwseck"],
            64,
            "FLUTTERWAVE_KEY",
        )
        .tp("FLW_SECRET_KEY=FLWSECK_TEST-77c4cf46c0ad754af081902f7aafb878-X", "FLWSECK_TEST-77c4cf46c0ad754af081902f7aafb878-X")
        .tp("FLW_SECRET_KEY=FLWSECK-1c7a861502f5caf0c67fd32f0004688b-X", "FLWSECK-1c7a861502f5caf0c67fd32f0004688b-X")
        .fp("FLW_SECRET_KEY=FLWSECK-3a25f5530242a02786f3-X")
        .fp("FLW_PUBLIC_KEY=FLWPUBK-8bb8a4c91bd26e78613f34fd563fd4e3-X"),
        // Shippo API tokens: `shippo_live_` or `shippo_test_` and 40 hex (Shippo
        // docs "Authentication"; gitleaks `shippo-api-token`).
        prefixed(
            "shippo_token",
            "Shippo API token",
            r"\bshippo_(?:live|test)_[a-fA-F0-9]{40}\b",
            &["shippo_"],
            56,
            "SHIPPO_TOKEN",
        )
        .tp(
            "SHIPPO_API_KEY=shippo_live_4a08c3c5bcbd9ce62d3f2accc2a8006114809d0d",
            "shippo_live_4a08c3c5bcbd9ce62d3f2accc2a8006114809d0d",
        )
        .tp(
            "curl -H 'Authorization: ShippoToken shippo_test_cf94cfacdc89a3932e225c43792976052c781d9b' https://api.goshippo.com/shipments/",
            "shippo_test_cf94cfacdc89a3932e225c43792976052c781d9b",
        )
        .fp("SHIPPO_API_KEY=shippo_live_<token>")
        .fp("import shippo_client"),
        // Duffel access tokens: `duffel_live_` or `duffel_test_` and 43 URL-safe
        // characters (Duffel docs "Authentication"; gitleaks `duffel-api-token`).
        prefixed(
            "duffel_token",
            "Duffel API token",
            r"\b(?P<value>duffel_(?:test|live)_[A-Za-z0-9_=-]{43})(?:[^A-Za-z0-9_=-]|$)",
            &["duffel_"],
            64,
            "DUFFEL_TOKEN",
        )
        .tp(
            "DUFFEL_ACCESS_TOKEN=duffel_live_hZVFAKEDUnHCdVAMB5R5jFx1ZkvrU0QapbiQb5q7zMD\n",
            "duffel_live_hZVFAKEDUnHCdVAMB5R5jFx1ZkvrU0QapbiQb5q7zMD",
        )
        .tp(
            "curl -H 'Authorization: Bearer duffel_test_EDDLKzAQhIObv2pOcQTCeyHITestOnlyJy_1Qv1m8P9' https://api.duffel.com/air/airlines",
            "duffel_test_EDDLKzAQhIObv2pOcQTCeyHITestOnlyJy_1Qv1m8P9",
        )
        .fp("DUFFEL_ACCESS_TOKEN=duffel_test_<token>")
        .fp("duffel_live_ tokens charge real bookings"),
        // EasyPost production (`EZAK`) and test (`EZTK`) API keys with 54
        // alphanumerics (EasyPost docs; gitleaks `easypost-api-token`).
        prefixed(
            "easypost_api_key",
            "EasyPost API key",
            r"\bEZ[AT]K[A-Za-z0-9]{54}\b",
            &["ezak", "eztk"],
            64,
            "EASYPOST_KEY",
        )
        .tp(
            "EASYPOST_API_KEY=EZAKn9PgoP31TAsdIFAKERec2HZ8QBpKZ7WAGEX8tEzTfOguyTIzuL3DVS",
            "EZAKn9PgoP31TAsdIFAKERec2HZ8QBpKZ7WAGEX8tEzTfOguyTIzuL3DVS",
        )
        .tp(
            "client = easypost.EasyPostClient(\"EZTKRJyJfjbH8EC3piSoDc5ppYlyWzXe7AcWYjDTestOnlyzM6uHI1VjY8\")",
            "EZTKRJyJfjbH8EC3piSoDc5ppYlyWzXe7AcWYjDTestOnlyzM6uHI1VjY8",
        )
        .fp("EASYPOST_API_KEY=EZAK<key>")
        .fp("EZTKxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        // Plaid Item access tokens: `access-`, the environment, `-` and a UUID
        // (Plaid API docs "/item/public_token/exchange"; gitleaks
        // `plaid-api-token`).
        prefixed(
            "plaid_access_token",
            "Plaid access token",
            r"\baccess-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
            &["access-sandbox-", "access-development-", "access-production-"],
            64,
            "PLAID_TOKEN",
        )
        .tp(
            "PLAID_ACCESS_TOKEN=access-production-34c59d2a-bdc1-4518-99d0-e18dcbbb87ad",
            "access-production-34c59d2a-bdc1-4518-99d0-e18dcbbb87ad",
        )
        .tp(
            "{\"access_token\": \"access-sandbox-46e30485-1c5a-4006-be35-d8431a729a44\", \"item_id\": \"M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op\"}",
            "access-sandbox-46e30485-1c5a-4006-be35-d8431a729a44",
        )
        .fp("PLAID_ACCESS_TOKEN=access-sandbox-00000000-0000-0000-0000-000000000000")
        .fp("access-sandbox-<item>"),
        // Paddle Billing API keys: `pdl_live_apikey_` or `pdl_sdbx_apikey_`, a
        // 26-character id, `_`, 22, `_`, 3 (Paddle developer docs "API keys").
        prefixed(
            "paddle_api_key",
            "Paddle Billing API key",
            r"\bpdl_(?:live|sdbx)_apikey_[a-z0-9]{26}_[A-Za-z0-9]{22}_[A-Za-z0-9]{3}\b",
            &["pdl_live_", "pdl_sdbx_"],
            80,
            "PADDLE_KEY",
        )
        .tp(
            "PADDLE_API_KEY=pdl_live_apikey_avko7rdpj0ron1lgny8rh8ygw7_TDRFAKEo44sj8x80LP0vMY_doK",
            "pdl_live_apikey_avko7rdpj0ron1lgny8rh8ygw7_TDRFAKEo44sj8x80LP0vMY_doK",
        )
        .tp(
            "curl -H 'Authorization: Bearer pdl_sdbx_apikey_vluqy904xejz0t678zzlmwymgg_LX1gBFTestH0wpRPlYKYyF_zAy' https://api.paddle.com/products",
            "pdl_sdbx_apikey_vluqy904xejz0t678zzlmwymgg_LX1gBFTestH0wpRPlYKYyF_zAy",
        )
        .fp("PADDLE_API_KEY=pdl_live_apikey_<key>")
        .fp("pdl_sdbx_apikey_ keys work only in the sandbox"),
        // WooCommerce REST API keys: consumer key `ck_` and consumer secret `cs_`,
        // each with 40 hex (WooCommerce REST API docs "Authentication").
        prefixed(
            "woocommerce_key",
            "WooCommerce REST API consumer key or secret",
            r"\bc[ks]_[a-f0-9]{40}\b",
            &["ck_", "cs_"],
            48,
            "WOOCOMMERCE_KEY",
        )
        .tp(
            "WC_CONSUMER_KEY=ck_0084266cec3c1a3e3dba7f42e4dcfe04d40ea4d9",
            "ck_0084266cec3c1a3e3dba7f42e4dcfe04d40ea4d9",
        )
        .tp(
            "curl https://shop.example.com/wp-json/wc/v3/orders -u cs_f14823380513dbf394106f1cb6f2e088013430ce:",
            "cs_f14823380513dbf394106f1cb6f2e088013430ce",
        )
        .fp("WC_CONSUMER_SECRET=cs_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
        .fp("ck_0000000000000000000000000000000000000000"),
    ]
}
