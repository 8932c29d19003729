//! Cloud and edge providers beyond the big three: Alibaba Cloud, IBM
//! Cloud, Cloudflare (API tokens, Origin CA keys, Tunnel tokens), Tencent
//! Cloud, Yandex Cloud, and Amazon Bedrock's API keys.

use super::{entropy, near_word, prefixed, secret};
use crate::dlp::RuleSpec;
use crate::schema::Severity;

/// This group's rules.
pub(super) fn rules() -> Vec<RuleSpec> {
    vec![
        // Alibaba Cloud AccessKey ids: LTAI and 12–20 alphanumerics
        // (gitleaks `alibaba-access-key-id` takes 20; older ids are 16
        // long in all). The secret is 30 alphanumerics after an Alibaba
        // word (gitleaks `alibaba-secret-key`).
        prefixed(
            "alibaba_access_key_id",
            "Alibaba Cloud AccessKey ID",
            r"\bLTAI[A-Za-z0-9]{12,20}\b",
            &["ltai"],
            32,
            "ALIBABA_KEY",
        )
        .tp("ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI5tBmo7VgvidqAg46hj1q", "LTAI5tBmo7VgvidqAg46hj1q")
        .tp("accessKeyId: 'LTAI6THfdCoERxbG'", "LTAI6THfdCoERxbG")
        .fp("ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIxxxxxxxxxxxxxxxxxxxx")
        .fp("ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI3mrR8p"),
        secret(
            "alibaba_secret_key",
            "Alibaba Cloud AccessKey secret",
            Severity::Critical,
            &near_word("alibaba|aliyun|access_?key_?secret", "[A-Za-z0-9]{30}"),
        )
        // Every spelling the pattern's `access_?key_?secret` allows: the
        // scanner only runs a rule near one of its keywords.
        .keywords(&[
            "alibaba",
            "aliyun",
            "accesskeysecret",
            "access_key_secret",
            "access_keysecret",
            "accesskey_secret",
        ])
        .max_len(128)
        .validator(entropy(3.5))
        .label("ALIBABA_SECRET")
        .tp("ALIBABA_CLOUD_ACCESS_KEY_SECRET=cRtpdcPj9ZXnRfcGan0dFde1Yn3gLA", "cRtpdcPj9ZXnRfcGan0dFde1Yn3gLA")
        .tp("accessKeySecret: 'doqVTmSAWhSdz0ZDaTIKU75iz3Mi9M'", "doqVTmSAWhSdz0ZDaTIKU75iz3Mi9M")
        .fp("ALIBABA_CLOUD_ACCESS_KEY_SECRET=<your-access-key-secret>")
        .fp("ALIBABA_CLOUD_REGION=cn-hangzhou"),
        // IBM Cloud API keys: 44 URL-safe characters after an IBM word
        // (IBM Cloud docs "Managing user API keys"; trufflehog
        // `ibmclouduserkey`).
        secret(
            "ibm_cloud_api_key",
            "IBM Cloud API key",
            Severity::Critical,
            &near_word("ibm", "[A-Za-z0-9_-]{44}"),
        )
        .keywords(&["ibm"])
        .max_len(128)
        .validator(entropy(3.5))
        .label("IBM_CLOUD_KEY")
        .tp("IBMCLOUD_API_KEY=34NAF8kEdFoMlocbuXsto-aZElqsKrJEFLIB5NSTxDql", "34NAF8kEdFoMlocbuXsto-aZElqsKrJEFLIB5NSTxDql")
        .tp("ibm_cloud_apikey = \"BnKFkqdNq3kmlE1amdvpy1WABRm2AZDkC3_lb7s2ufJX\"", "BnKFkqdNq3kmlE1amdvpy1WABRm2AZDkC3_lb7s2ufJX")
        .fp("IBMCLOUD_API_KEY=your_ibm_cloud_api_key_goes_here_please_now")
        .fp("IBM Db2 docs: https://www.ibm.com/docs/en/db2/11.5?topic=overview-abcdefghijklmnop"),
        // Cloudflare: Origin CA keys v1.0- + 24 hex + `-` + 146 hex
        // (gitleaks `cloudflare-origin-ca-key`), API tokens (40 URL-safe)
        // and Global API keys (37 hex) after a Cloudflare word (gitleaks
        // `cloudflare-api-key`, `cloudflare-global-api-key`).
        prefixed(
            "cloudflare_origin_ca_key",
            "Cloudflare Origin CA key",
            r"\bv1\.0-[a-f0-9]{24}-[a-f0-9]{146}\b",
            &["v1.0-"],
            190,
            "CLOUDFLARE_KEY",
        )
        .tp(
            "CF_ORIGIN_CA_KEY=v1.0-be1b0a21f8443df2ed6de30e-1653cdba05fec3e1aad40c96ae1d31fe5931a5e28cc42ffefbbd217e9ab725b381f39d99ddfe4ea7f57663d2605812b7d58fd1a6b228682ce3cfdffea7935a77dc5e948da0c91f0eba",
            "v1.0-be1b0a21f8443df2ed6de30e-1653cdba05fec3e1aad40c96ae1d31fe5931a5e28cc42ffefbbd217e9ab725b381f39d99ddfe4ea7f57663d2605812b7d58fd1a6b228682ce3cfdffea7935a77dc5e948da0c91f0eba",
        )
        .tp(
            "origin_ca_key = \"v1.0-2d1cbd4bb216ae4b57738d2e-d6ece6eb7d3ca203b529bde0da89076719a23a0fcefde670cc718e9b65322ae2c1c4c578cbed12ff1fba0622f53b66835dd535f8d4305e7e2637e8f68b72699feb1ca6329d5659c16d\"",
            "v1.0-2d1cbd4bb216ae4b57738d2e-d6ece6eb7d3ca203b529bde0da89076719a23a0fcefde670cc718e9b65322ae2c1c4c578cbed12ff1fba0622f53b66835dd535f8d4305e7e2637e8f68b72699feb1ca6329d5659c16d",
        )
        .fp("version v1.0-beta of the API")
        .fp("CF_ORIGIN_CA_KEY=v1.0-04ffe9020e370019dc4aa345"),
        secret(
            "cloudflare_api_token",
            "Cloudflare API token or Global API key",
            Severity::Critical,
            &near_word("cloudflare|\\bcf_api|\\bcf_token", "[A-Za-z0-9_-]{40}|[a-f0-9]{37}"),
        )
        .keywords(&["cloudflare", "cf_api", "cf_token"])
        .max_len(128)
        .validator(entropy(3.3))
        // A 40-hex value beside the word is a commit or a hash.
        .allow_patterns(&["[0-9a-f]{40}"])
        .label("CLOUDFLARE_TOKEN")
        .tp("CLOUDFLARE_API_TOKEN=GbjnGYPNAIsMlhXC3F5Ww2zyctktElKe_NJYPrg-", "GbjnGYPNAIsMlhXC3F5Ww2zyctktElKe_NJYPrg-")
        .tp("CF_API_KEY=c72b69fabb3ef156b161b24fa5f99908ebfdd", "c72b69fabb3ef156b161b24fa5f99908ebfdd")
        .fp("cloudflare/workers-sdk@363aca1ab578788cd5e0de196baf86ef557f444c")
        .fp("CLOUDFLARE_ACCOUNT_ID=your-cloudflare-account-id"),
        // Amazon Bedrock long-term API keys: ABSK + base64 of
        // `BedrockAPIKey-…` (gitleaks `aws-amazon-bedrock-api-key-long-lived`:
        // 109–269 characters).
        prefixed(
            "aws_bedrock_api_key",
            "Amazon Bedrock API key",
            r"\bABSK[A-Za-z0-9+/]{109,269}={0,2}",
            &["absk"],
            290,
            "AWS_BEDROCK_KEY",
        )
        .tp(
            "AWS_BEARER_TOKEN_BEDROCK=ABSKQmVkcm9ja0FQSUtleSPslQt2waofyFZ1Z6kd5yROuj2u0PLxNe7RDS7JLAzHRzUYkHc0s+OtoswXemGJ5JzWt/nZ93uzn7Obb81SVAKZkw9qh8kjUrqZqhjFiPRHjPpvuLh3ipBk4O",
            "ABSKQmVkcm9ja0FQSUtleSPslQt2waofyFZ1Z6kd5yROuj2u0PLxNe7RDS7JLAzHRzUYkHc0s+OtoswXemGJ5JzWt/nZ93uzn7Obb81SVAKZkw9qh8kjUrqZqhjFiPRHjPpvuLh3ipBk4O",
        )
        .tp(
            "export AWS_BEARER_TOKEN_BEDROCK='ABSKDjwa2DZGtlBUw5oS947FRb3JDCf6xYWe6GxLtCXALUqIvPvmi2buEItQNuO5YTzw7tF0RMF69XCzD6FkpmyvMkrpkDTxs83cd9DpZmfglpxyXoOFMWUrilrLY2/P9id1xgzmC9bs2CfB='",
            "ABSKDjwa2DZGtlBUw5oS947FRb3JDCf6xYWe6GxLtCXALUqIvPvmi2buEItQNuO5YTzw7tF0RMF69XCzD6FkpmyvMkrpkDTxs83cd9DpZmfglpxyXoOFMWUrilrLY2/P9id1xgzmC9bs2CfB=",
        )
        .fp("AWS_BEARER_TOKEN_BEDROCK=ABSK12hUxBIorjbT43H9h297Djd0jODU4ze6rYt8/hrd")
        .fp("AWS_BEARER_TOKEN_BEDROCK=ABSKxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        // Tencent Cloud CAM API keys: the SecretId is `AKID` and 32 alphanumerics
        // (Tencent Cloud docs "Access Key"; trufflehog `tencent`).
        prefixed(
            "tencent_cloud_secret_id",
            "Tencent Cloud SecretId",
            r"\bAKID[A-Za-z0-9]{32}\b",
            &["akid"],
            48,
            "TENCENT_KEY",
        )
        .tp(
            "TENCENTCLOUD_SECRET_ID=AKID9OxkBPG0TrbPFAKEZeFamkwSvUV5Mbmu",
            "AKID9OxkBPG0TrbPFAKEZeFamkwSvUV5Mbmu",
        )
        .tp(
            "cred = credential.Credential(\"AKIDsVbPJTestTQ3Iq4c9YrMwpLaf4PbPbAM\", os.environ[\"TENCENTCLOUD_SECRET_KEY\"])",
            "AKIDsVbPJTestTQ3Iq4c9YrMwpLaf4PbPbAM",
        )
        .fp("TENCENTCLOUD_SECRET_ID=AKIDxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
        .fp("the SecretId begins with AKID"),
        // Yandex Cloud API keys: `AQVN` and 35-38 URL-safe characters (gitleaks
        // `yandex-api-key`).
        prefixed(
            "yandex_cloud_api_key",
            "Yandex Cloud API key",
            r"\b(?P<value>AQVN[A-Za-z0-9_-]{35,38})(?:[^A-Za-z0-9_-]|$)",
            &["aqvn"],
            48,
            "YANDEX_KEY",
        )
        .tp(
            "YC_API_KEY=AQVN_WFAKE4dOG2imgP8tSjwooibfU5laq7-HcI1",
            "AQVN_WFAKE4dOG2imgP8tSjwooibfU5laq7-HcI1",
        )
        .tp(
            "curl -H \"Authorization: Api-Key AQVN7zG2wxKc3T8_86LawxenTest1iXwwt1-Ar3DU\" https://llm.api.cloud.yandex.net/foundationModels/v1/completion",
            "AQVN7zG2wxKc3T8_86LawxenTest1iXwwt1-Ar3DU",
        )
        .fp("YC_API_KEY=AQVN...")
        .fp("AQVN keys are issued per service account"),
        // Cloudflare Tunnel tokens (`cloudflared tunnel run --token`) are base64
        // of a JSON object `{"a":account,"t":tunnel id,"s":secret}`, so they start
        // `eyJhIjoi` (Cloudflare docs "Tunnel tokens").
        prefixed(
            "cloudflare_tunnel_token",
            "Cloudflare Tunnel token",
            r"\beyJhIjoi[A-Za-z0-9+/]{100,400}={0,2}",
            &["eyjhijoi"],
            420,
            "CLOUDFLARE_TUNNEL_TOKEN",
        )
        .tp(
            "cloudflared tunnel run --token eyJhIjoiYzhlYTYzZmI4MDdmMWQxNzJiZDYzZWExZDk0ODFmYTYiLCJ0IjoiMGNkMDE0ODYtYjM0Yi00ZTNiLTgyNzMtNDQxZDRiODc5MmU4IiwicyI6IlVYdDNLbEp4SWE4aXFJcDQ5bXlacHRQSHA1WDU5VWdJcmxQV2NNM0VxUkk9In0=",
            "eyJhIjoiYzhlYTYzZmI4MDdmMWQxNzJiZDYzZWExZDk0ODFmYTYiLCJ0IjoiMGNkMDE0ODYtYjM0Yi00ZTNiLTgyNzMtNDQxZDRiODc5MmU4IiwicyI6IlVYdDNLbEp4SWE4aXFJcDQ5bXlacHRQSHA1WDU5VWdJcmxQV2NNM0VxUkk9In0=",
        )
        .tp(
            "TUNNEL_TOKEN=eyJhIjoiNTMyODJiYTEzZDdmZjgxMmNjNGQ4NDg5ZWVlZDlkODYiLCJ0IjoiODRkMjI0YmMtYzgwZC00NzA1LTllYzQtMTE3YjczMGI4NTE4IiwicyI6Ikd0OU94dGduZXlBcTdTQS96ZzFuT0xxN0c5SjNtQkFoL2dGL1lUdWYybWs9In0=",
            "eyJhIjoiNTMyODJiYTEzZDdmZjgxMmNjNGQ4NDg5ZWVlZDlkODYiLCJ0IjoiODRkMjI0YmMtYzgwZC00NzA1LTllYzQtMTE3YjczMGI4NTE4IiwicyI6Ikd0OU94dGduZXlBcTdTQS96ZzFuT0xxN0c5SjNtQkFoL2dGL1lUdWYybWs9In0=",
        )
        .fp("TUNNEL_TOKEN=eyJhIjoi...")
        .fp("eyJhIjoiYiJ9 is {\"a\":\"b\"} in base64"),
    ]
}
