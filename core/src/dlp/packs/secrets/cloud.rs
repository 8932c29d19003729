//! Cloud and infrastructure providers: AWS (keys, session tokens, Login
//! with Amazon secrets), Azure storage and Service Bus, Google (API keys,
//! OAuth access and refresh tokens, Cloud Storage HMAC ids, Firebase
//! server keys), DigitalOcean, Heroku and Datadog.

use super::{ASSIGN, entropy, prefixed, secret, token_entropy};
use crate::dlp::RuleSpec;
use crate::schema::Severity;

/// Azurite's storage key: published in Microsoft's docs for the local
/// emulator, so it unlocks nothing.
const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// API keys published in github.com/firebase/firebase-android-sdk's tests
/// and samples (the list is gitleaks' `gcp-api-key` allowlist): public, so
/// they unlock nothing of anyone's.
const FIREBASE_SAMPLE_KEYS: &[&str] = &[
    "AIzaSyabcdefghijklmnopqrstuvwxyz1234567",
    "AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs",
    "AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM",
    "AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU",
    "AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0",
    "AIzayDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A",
    "AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c",
    "AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4",
    "AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY",
    "AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM",
    "AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ",
    "AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g",
    "AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU",
    "AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw",
    "AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE",
    "AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY",
];

/// This group's rules.
pub(super) fn rules() -> Vec<RuleSpec> {
    vec![
        // Key id prefixes: AWS IAM docs ("Understanding unique ID prefixes")
        // and gitleaks `aws-access-token`.
        secret(
            "aws_access_key_id",
            "AWS access key id",
            Severity::Critical,
            r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b",
        )
        .keywords(&["akia", "asia", "abia", "acca", "a3t"])
        .max_len(32)
        .validator(token_entropy(3.0))
        .label("AWS_KEY")
        .tp("aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE")
        .tp(
            "export AWS_ACCESS_KEY_ID=ASIAFAKEEXAMPLEKEY23",
            "ASIAFAKEEXAMPLEKEY23",
        )
        .fp("the key AKIAIOSFODNN7EXAMPL is one character short")
        .fp("aws_access_key_id = AKIAXXXXXXXXXXXXXXXX")
        .fp("Our offices in ASIA and the ACCA exam board"),
        // 40 base64 characters (AWS IAM docs); the variable name must be in
        // the match, because 40 base64 characters alone are everywhere.
        secret(
            "aws_secret_access_key",
            "AWS secret access key",
            Severity::Critical,
            r#"(?i)(?:secret_access_key|secretaccesskey|secret-access-key|aws_secret|aws-secret|awssecret)\w{0,16}["']?(?:\s*(?:=>|:=|[:=])\s*|\s+)["']?(?P<value>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        )
        .keywords(&[
            "secret_access_key",
            "secretaccesskey",
            "secret-access-key",
            "aws_secret",
            "aws-secret",
            "awssecret",
        ])
        .max_len(128)
        .validator(entropy(4.0))
        .context_boost(&["aws", "amazon", "s3"], 128, 0.15)
        .label("AWS_SECRET")
        .tp(
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .tp(
            r#"{"AccessKeyId": "ASIAFAKEEXAMPLEKEY23", "SecretAccessKey": "FAKEexampleDKRYfmt07CJQXelsz6BIPWdkry5AH"}"#,
            "FAKEexampleDKRYfmt07CJQXelsz6BIPWdkry5AH",
        )
        .fp("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE")
        .fp("aws_secret_access_key = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
        .fp("Set AWS_SECRET_ACCESS_KEY in your environment before running the tool."),
        // 64-byte keys, so 86 base64 characters and `==` (Azure Storage docs),
        // after `AccountKey` or a storage key variable (`AZURE_STORAGE_KEY`,
        // `storage_access_key`, the names of the Azure CLI and SDK docs).
        secret(
            "azure_storage_account_key",
            "Azure storage account key",
            Severity::Critical,
            &format!(
                r"(?i)(?:account|storage)[_-]?(?:access[_-]?)?key[0-9]?{ASSIGN}(?P<value>[A-Za-z0-9+/]{{86}}==)"
            ),
        )
        .keywords(&[
            "accountkey",
            "account_key",
            "account-key",
            "accountaccess",
            "account_access",
            "account-access",
            "storagekey",
            "storage_key",
            "storage-key",
            "storageaccess",
            "storage_access",
            "storage-access",
        ])
        .max_len(128)
        .validator(entropy(4.5))
        .allow_values(&[AZURITE_KEY])
        .label("AZURE_KEY")
        .tp(
            r#""storageAccountKey": "FAKEexampleDKRYfmt07CJQXelsz6BIPWdkry5AHOVcjqx4/GNUbipw3+FMTahov29ELSZgnu18DKRYfmt07CJ==""#,
            "FAKEexampleDKRYfmt07CJQXelsz6BIPWdkry5AHOVcjqx4/GNUbipw3+FMTahov29ELSZgnu18DKRYfmt07CJ==",
        )
        .tp(
            "az storage blob list --account-name fakeacct --account-key TestOnly+/DOZkv6FQbmx8HSdoz+JUfq1ALWhs3CNYju5EPalw7GRcny9ITep0/KVgr2BMXit4DOZkv6FQbmx8==",
            "TestOnly+/DOZkv6FQbmx8HSdoz+JUfq1ALWhs3CNYju5EPalw7GRcny9ITep0/KVgr2BMXit4DOZkv6FQbmx8==",
        )
        .fp("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;")
        .tp(
            "AZURE_STORAGE_KEY=FAKEexampleDKRYfmt07CJQXelsz6BIPWdkry5AHOVcjqx4/GNUbipw3+FMTahov29ELSZgnu18DKRYfmt07CJ==",
            "FAKEexampleDKRYfmt07CJQXelsz6BIPWdkry5AHOVcjqx4/GNUbipw3+FMTahov29ELSZgnu18DKRYfmt07CJ==",
        )
        .fp("AccountKey=<your-storage-account-key>")
        .fp("AccountKey=FAKEexampleDKRYfmt07CJQXelsz6BIPWdkry5AHOVcjqx4/GNUbipw3+FMTahov29ELSZgnu18DKRYfmt07=="),
        // Format from "Configure Azure Storage connection strings".
        secret(
            "azure_storage_connection_string",
            "Azure storage connection string",
            Severity::Critical,
            r"(?i)DefaultEndpointsProtocol=https?;AccountName=[a-z0-9]{3,24};AccountKey=[A-Za-z0-9+/]{86}==(?:;EndpointSuffix=[a-z0-9.]{1,64})?",
        )
        .keywords(&["defaultendpointsprotocol"])
        .max_len(256)
        .allow_patterns(&["(?i).*;AccountName=devstoreaccount1;.*"])
        .label("AZURE_CONN")
        .tp(
            "AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName=fakeacct;AccountKey=FAKEexampleDKRYfmt07CJQXelsz6BIPWdkry5AHOVcjqx4/GNUbipw3+FMTahov29ELSZgnu18DKRYfmt07CJ==;EndpointSuffix=core.windows.net",
            "DefaultEndpointsProtocol=https;AccountName=fakeacct;AccountKey=FAKEexampleDKRYfmt07CJQXelsz6BIPWdkry5AHOVcjqx4/GNUbipw3+FMTahov29ELSZgnu18DKRYfmt07CJ==;EndpointSuffix=core.windows.net",
        )
        .tp(
            r#"conn = "DefaultEndpointsProtocol=https;AccountName=testonly01;AccountKey=TestOnly+/DOZkv6FQbmx8HSdoz+JUfq1ALWhs3CNYju5EPalw7GRcny9ITep0/KVgr2BMXit4DOZkv6FQbmx8==""#,
            "DefaultEndpointsProtocol=https;AccountName=testonly01;AccountKey=TestOnly+/DOZkv6FQbmx8HSdoz+JUfq1ALWhs3CNYju5EPalw7GRcny9ITep0/KVgr2BMXit4DOZkv6FQbmx8==",
        )
        .fp("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==")
        .fp("DefaultEndpointsProtocol=https;AccountName=myaccount;AccountKey=<account-key>;EndpointSuffix=core.windows.net"),
        // The signature of a shared access signature: HMAC-SHA256, so 43
        // base64 characters and `=`, usually percent-encoded (Azure Storage
        // "Create a service SAS"). `sv=` (the version) marks it as Azure's.
        secret(
            "azure_sas_token",
            "Azure shared access signature",
            Severity::Critical,
            r"(?i)[?&]sig=(?P<value>(?:[A-Za-z0-9+/]|%2[BF]){43}(?:=|%3D))",
        )
        .keywords(&["sig="])
        .max_len(160)
        .validator(entropy(3.5))
        .context_required(&["sv=", "sharedaccesssignature"], 512)
        .label("AZURE_SAS")
        .tp(
            "https://fakeacct.blob.core.windows.net/backups/db.bak?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&spr=https&sig=FAKEexampleDKRYfmt07CJQXelsz6BIPWdkry5AHOVc%3D",
            "FAKEexampleDKRYfmt07CJQXelsz6BIPWdkry5AHOVc%3D",
        )
        .tp(
            "BlobEndpoint=https://fakeacct.blob.core.windows.net/;SharedAccessSignature=sv=2021-06-08&ss=bfqt&srt=sco&sp=rl&se=2030-12-31T00:00:00Z&sig=TestOnlyDINSXchmrw16%2FEJOTYdinsx27AFKPUZejot%3D",
            "TestOnlyDINSXchmrw16%2FEJOTYdinsx27AFKPUZejot%3D",
        )
        .fp("https://cdn.example.com/download?id=7&sig=FAKEexampleDKRYfmt07CJQXelsz6BIPWdkry5AHOVc%3D")
        .fp("https://fakeacct.blob.core.windows.net/c/f?sv=2022-11-02&sp=r&sig=abc123")
        .fp("?sv=2022-11-02&sp=r&sig=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX%3D"),
        // Service Bus, Event Hubs and IoT Hub connection strings carry a
        // 256-bit key as 44 base64 characters (Azure Service Bus SAS docs).
        secret(
            "azure_shared_access_key",
            "Azure Service Bus / Event Hubs / IoT Hub shared access key",
            Severity::Critical,
            r"(?i)SharedAccessKey\s*=\s*(?P<value>[A-Za-z0-9+/]{43}=)",
        )
        .keywords(&["sharedaccesskey"])
        .max_len(80)
        .validator(entropy(4.0))
        .label("AZURE_SAS_KEY")
        .tp(
            "Endpoint=sb://fakens.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=FAKEexampleDQdq3ERer4FSfs5GTgt6HUhu7IViv8JW=",
            "FAKEexampleDQdq3ERer4FSfs5GTgt6HUhu7IViv8JW=",
        )
        .tp(
            "HostName=fakehub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=TestOnlyDINSXchmrw16/EJOTYdinsx27AFKPUZejot=",
            "TestOnlyDINSXchmrw16/EJOTYdinsx27AFKPUZejot=",
        )
        .fp("Endpoint=sb://fakens.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=<key>")
        .fp("SharedAccessKey=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
        // Microsoft Entra ID (Azure AD) application client secrets: three
        // characters, a digit, `Q~`, then 31 to 34 (gitleaks
        // `azure-ad-client-secret`, from "Azure AD client secret" in the
        // Microsoft Purview sensitive-information-type docs).
        secret(
            "azure_ad_client_secret",
            "Azure AD (Entra ID) client secret",
            Severity::Critical,
            r"(?:^|[^0-9A-Za-z_~.-])(?P<value>[0-9A-Za-z_~.]{3}[0-9]Q~[0-9A-Za-z_~.-]{31,34})(?:[^0-9A-Za-z_~.-]|$)",
        )
        .keywords(&["q~"])
        .max_len(64)
        .validator(token_entropy(3.0))
        .label("AZURE_AD_SECRET")
        .tp(
            "AZURE_CLIENT_SECRET=Fk38Q~FAKEexample3AHOVcjqx29GNUbipw.18F",
            "Fk38Q~FAKEexample3AHOVcjqx29GNUbipw.18F",
        )
        .tp(
            r#"ClientSecretCredential(tenant, client_id, "Tst5Q~TestOnly_3EPalw5GRcny~7ITep-9KVgr")"#,
            "Tst5Q~TestOnly_3EPalw5GRcny~7ITep-9KVgr",
        )
        .fp("client_secret=bP88Q~xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
        .fp("'url': 'http://www.2doc.nl/speel~VARA_101375237~mh17-het-verdriet-van-nederland~.html',")
        .fp("Identity=USK@u2vn3Lh6Kte2-TgBSNKorbsKkuAt34ckoLmgx0ndXO0,4~q8Q~3wIHjX9DT0yCNfQmr9oxmYrDZoQVLOdNg~yk0,AQACAAE/WebOfTrustRC2/2"),
        // gitleaks `gcp-api-key`: AIza and 35 URL-safe characters.
        secret(
            "google_api_key",
            "Google API key",
            Severity::Critical,
            r"\b(?P<value>AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)",
        )
        .keywords(&["aiza"])
        .max_len(48)
        .validator(token_entropy(3.5))
        .allow_values(FIREBASE_SAMPLE_KEYS)
        .label("GOOGLE_API_KEY")
        .tp(
            r#"const firebaseConfig = { apiKey: "AIzaSyFAKE-example_3AHOVcjqx29GNUbipw18", authDomain: "fake.firebaseapp.com" };"#,
            "AIzaSyFAKE-example_3AHOVcjqx29GNUbipw18",
        )
        .tp(
            "curl 'https://generativelanguage.googleapis.com/v1beta/models?key=AIzaSyTestOnly3EPalw5GRcny7ITep_9KVgr0B'",
            "AIzaSyTestOnly3EPalw5GRcny7ITep_9KVgr0B",
        )
        .fp("apiKey: AIzaSyFAKE-example_3AHOVcjqx29GNUbipw1")
        .fp(r#"FirebaseOptions.Builder().setApiKey("AIzaSyabcdefghijklmnopqrstuvwxyz1234567")"#)
        .fp("apiKey: AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
        // gitleaks `gcp-oauth-client-secret`-style shape: GOCSPX- and 28.
        secret(
            "google_oauth_client_secret",
            "Google OAuth client secret",
            Severity::Critical,
            r"\b(?P<value>GOCSPX-[0-9A-Za-z_-]{28})(?:[^0-9A-Za-z_-]|$)",
        )
        .keywords(&["gocspx-"])
        .max_len(48)
        .validator(token_entropy(3.5))
        .label("GOOGLE_OAUTH_SECRET")
        .tp(
            r#""client_secret": "GOCSPX-FAKE-example_3AHOVcjqx29GNUb","#,
            "GOCSPX-FAKE-example_3AHOVcjqx29GNUb",
        )
        .tp(
            "GOOGLE_CLIENT_SECRET=GOCSPX-TestOnly3EPalw5GRcny7ITep_9K",
            "GOCSPX-TestOnly3EPalw5GRcny7ITep_9K",
        )
        .fp("GOOGLE_CLIENT_SECRET=GOCSPX-your-client-secret")
        .fp("GOOGLE_CLIENT_SECRET=GOCSPX-FAKE-example_3AHOVcjqx29GNUbEXTRA"),
        // Google OAuth 2.0 access tokens start `ya29.` (Google Identity
        // "Using OAuth 2.0 to access Google APIs" responses; secrets-patterns-db
        // "Google OAuth Access Token" `ya29\.[0-9A-Za-z\-_]+`). They run to
        // 2048 bytes; `max_len` bounds the unbounded run.
        secret(
            "google_oauth_access_token",
            "Google OAuth access token",
            Severity::Critical,
            r"\b(?P<value>ya29\.[0-9A-Za-z_-]{20,})",
        )
        .keywords(&["ya29."])
        .max_len(2100)
        .validator(token_entropy(3.5))
        .label("GOOGLE_OAUTH_TOKEN")
        .tp(
            "curl -H 'Authorization: Bearer ya29.a0FAKEexample-Zx81qLr7TvB2_3AHOVcjqx4' https://www.googleapis.com/drive/v3/files",
            "ya29.a0FAKEexample-Zx81qLr7TvB2_3AHOVcjqx4",
        )
        .tp(
            "gcloud_auth: ya29.TestOnly3EPalw5GRcny7ITep_9KVgr0BMXit2DOZkv4",
            "ya29.TestOnly3EPalw5GRcny7ITep_9KVgr0BMXit2DOZkv4",
        )
        .fp("access_token=ya29.<your-access-token>")
        .fp("tokens look like ya29.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        // A GCP service-account key file (Google Cloud "Create and delete
        // service account keys": JSON with `"type": "service_account"`,
        // `private_key_id` of 40 hex and the PEM in `private_key`). The key
        // id is reported here, whatever the key order; the PEM itself is
        // `private_key`'s.
        secret(
            "gcp_service_account",
            "GCP service account key",
            Severity::Critical,
            r#"(?i)\\?"private_key_id\\?"\s*:\s*\\?"(?P<value>[0-9a-f]{40})\\?""#,
        )
        .keywords(&["private_key_id"])
        .max_len(128)
        .validator(entropy(3.0))
        .context_required(&["service_account"], 4096)
        .label("GCP_SERVICE_ACCOUNT")
        .tp(
            r#"{"type": "service_account", "project_id": "fake-proj", "private_key_id": "fa4edeadbeef3a18f6d4b2907e5c3a18f6d4b290", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEv...\n-----END PRIVATE KEY-----\n"}"#,
            "fa4edeadbeef3a18f6d4b2907e5c3a18f6d4b290",
        )
        .tp(
            r#"{"private_key_id": "cafebabe3e94fa50b61c72d83e94fa50b61c72d8", "project_id": "p", "type": "service_account"}"#,
            "cafebabe3e94fa50b61c72d83e94fa50b61c72d8",
        )
        .fp(r#"{"type": "authorized_user", "private_key_id": "fa4edeadbeef3a18f6d4b2907e5c3a18f6d4b290"}"#)
        .fp(r#"{"type": "service_account", "private_key_id": "<key-id>"}"#),
        // gitleaks `digitalocean-pat` / `-access-token` / `-refresh-token`.
        secret(
            "digitalocean_token",
            "DigitalOcean token",
            Severity::Critical,
            r"\bdo[opr]_v1_[a-f0-9]{64}\b",
        )
        .keywords(&["dop_v1_", "doo_v1_", "dor_v1_"])
        .max_len(80)
        .validator(token_entropy(3.0))
        .label("DIGITALOCEAN_TOKEN")
        .tp(
            "DIGITALOCEAN_TOKEN=dop_v1_fa4edeadbeef3a18f6d4b2907e5c3a18f6d4b2907e5c3a18f6d4b2907e5c3a18",
            "dop_v1_fa4edeadbeef3a18f6d4b2907e5c3a18f6d4b2907e5c3a18f6d4b2907e5c3a18",
        )
        .tp(
            "Authorization: Bearer doo_v1_cafebabe3e94fa50b61c72d83e94fa50b61c72d83e94fa50b61c72d83e94fa50",
            "doo_v1_cafebabe3e94fa50b61c72d83e94fa50b61c72d83e94fa50b61c72d83e94fa50",
        )
        .fp("dop_v1_fa4edeadbeef3a18f6d4b2907e5c3a18")
        .fp("dop_v1_0000000000000000000000000000000000000000000000000000000000000000"),
        // Classic Heroku API keys are bare UUIDs, which are everywhere, so the
        // match must start at a Heroku key name or the `.netrc` entry the
        // Heroku CLI writes.
        secret(
            "heroku_api_key",
            "Heroku API key",
            Severity::Critical,
            r#"(?i)heroku(?:[\w.-]{0,24}(?:api[_-]?key|token)["']?\s*(?:=>|:=|[:=])\s*["']?|\.com\s+login\s+\S{1,64}\s+password\s+)(?P<value>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b"#,
        )
        .keywords(&["heroku"])
        .max_len(200)
        .allow_values(&["00000000-0000-0000-0000-000000000000"])
        .label("HEROKU_KEY")
        .tp(
            "HEROKU_API_KEY=01234567-89ab-cdef-fa4e-0123456789ab",
            "01234567-89ab-cdef-fa4e-0123456789ab",
        )
        .tp(
            "machine api.heroku.com\n  login dev@example.com\n  password 0fa4e000-1234-4abc-8def-0123456789ab",
            "0fa4e000-1234-4abc-8def-0123456789ab",
        )
        .fp("heroku app id: 01234567-89ab-cdef-fa4e-0123456789ab")
        .fp("HEROKU_API_KEY=00000000-0000-0000-0000-000000000000")
        .fp("HEROKU_API_KEY=your-heroku-api-key"),
        // gitleaks `heroku-api-key-v2`: HRKU-AA and 58 characters.
        secret(
            "heroku_api_key_v2",
            "Heroku API key (HRKU format)",
            Severity::Critical,
            r"\b(?P<value>HRKU-AA[0-9A-Za-z_-]{58})(?:[^0-9A-Za-z_-]|$)",
        )
        .keywords(&["hrku-aa"])
        .max_len(80)
        .validator(token_entropy(3.5))
        .label("HEROKU_KEY")
        .tp(
            "HEROKU_API_KEY=HRKU-AAFAKE-example_3AHOVcjqx29GNUbipw18FMTahov07ELSZgnu-6DKRYfmt",
            "HRKU-AAFAKE-example_3AHOVcjqx29GNUbipw18FMTahov07ELSZgnu-6DKRYfmt",
        )
        .tp(
            "heroku auth:token printed HRKU-AATestOnly3EPalw5GRcny7ITep_9KVgr0BMXit2DOZkv4FQbmx6HSdoz8JU today",
            "HRKU-AATestOnly3EPalw5GRcny7ITep_9KVgr0BMXit2DOZkv4FQbmx6HSdoz8JU",
        )
        .fp("HRKU-AAFAKE-example_3AHOVcjqx29")
        .fp("HRKU-AAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        // Datadog API keys are 32 hex characters (Datadog "API and
        // Application Keys"); only a Datadog word nearby tells them apart.
        // Letters beyond hex are taken too, as gitleaks `datadog-access-token`
        // and trufflehog `datadogtoken` do: keys pasted into examples are
        // often not hex.
        secret(
            "datadog_api_key",
            "Datadog API key",
            Severity::Critical,
            &format!(r"(?i)(?:api|datadog|\bdd)[_-]?key{ASSIGN}(?P<value>[0-9a-z]{{32}})\b"),
        )
        .keywords(&["api_key", "api-key", "apikey", "datadog", "dd_key", "dd-key", "ddkey"])
        .max_len(80)
        .validator(entropy(3.0))
        .context_required(&["datadog", "dd_api", "dd-api", "dd_key", "ddog"], 256)
        .label("DATADOG_API_KEY")
        .tp(
            "DD_API_KEY=fa4edeadbeef3a18f6d4b2907e5c3a18",
            "fa4edeadbeef3a18f6d4b2907e5c3a18",
        )
        .tp(
            "datadog:\n  site: datadoghq.eu\n  api_key: 0123cafe38d27c16b05af49e38d27c16",
            "0123cafe38d27c16b05af49e38d27c16",
        )
        .fp("api_key: fa4edeadbeef3a18f6d4b2907e5c3a18")
        .fp("DD_API_KEY=fa4edeadbeef3a18f6d4b2907e5c3a1")
        .fp("DD_API_KEY=00000000000000000000000000000000")
        .tp(
            "DATADOG_KEY=FAKEexampleQXelsz6BIPWdkry5AHOVc",
            "FAKEexampleQXelsz6BIPWdkry5AHOVc",
        )
        .fp("DD_API_KEY=${DATADOG_API_KEY}")
        .tp(
            "- name: DD_API_KEY\n  value: \"0123cafe38d27c16b05af49e38d27c16\"",
            "0123cafe38d27c16b05af49e38d27c16",
        ),
        // Application keys: 40 hex characters, same source.
        secret(
            "datadog_app_key",
            "Datadog application key",
            Severity::Critical,
            &format!(r"(?i)app(?:lication)?[_-]?key{ASSIGN}(?P<value>[0-9a-z]{{40}})\b"),
        )
        .keywords(&[
            "app_key",
            "app-key",
            "appkey",
            "application_key",
            "application-key",
            "applicationkey",
        ])
        .max_len(96)
        .validator(entropy(3.0))
        .context_required(&["datadog", "dd_app", "dd-app", "dd-application", "ddog"], 256)
        .label("DATADOG_APP_KEY")
        .tp(
            "DD_APP_KEY=fa4edeadbeef3a18f6d4b2907e5c3a18f6d4b290",
            "fa4edeadbeef3a18f6d4b2907e5c3a18f6d4b290",
        )
        .tp(
            r#"curl https://api.datadoghq.com/api/v1/dashboard -H "DD-APPLICATION-KEY: cafebabe3e94fa50b61c72d83e94fa50b61c72d8""#,
            "cafebabe3e94fa50b61c72d83e94fa50b61c72d8",
        )
        .fp("FIREBASE_APP_KEY=fa4edeadbeef3a18f6d4b2907e5c3a18f6d4b290")
        .fp("DD_APP_KEY=fa4edeadbeef3a18f6d4b2907e5c3a18")
        .tp(
            r#"<add key="DATADOG_APPLICATION_KEY" value="cafebabe3e94fa50b61c72d83e94fa50b61c72d8" />"#,
            "cafebabe3e94fa50b61c72d83e94fa50b61c72d8",
        ),
        // AWS STS session tokens (`AWS_SESSION_TOKEN`, `aws_session_token`) are
        // base64 of a serialised blob whose first bytes are fixed:
        // `IQoJb3JpZ2luX2Vj` ("origin_ec", the current format) and `FwoGZXIvYXdz`
        // / `FQoGZXIvYXdz` (older ones); hundreds of base64 characters follow.
        prefixed(
            "aws_session_token",
            "AWS temporary session token",
            r"\b(?:IQoJb3JpZ2luX2V[jk]|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9+/]{100,}={0,2}",
            &["iqojb3jpz2lux2v", "fwogzxivyxdz", "fqogzxivyxdz"],
            4096,
            "AWS_SESSION_TOKEN",
        )
        .tp(
            "export AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjPKMFCakyxi+jUloQcfx0OljgNdjCYpc1vYMJqVIvLQKt4CSFAKET4LBZWm6i6X89qyhxrrhbuaYuV8GEpAj08dNPu0DmtFQuOyDwYfFTRVBQaeIKJ8NFRXlCQH5T/8+gXdnSUtG4PpuLQrtsxaoI2eGjGHP4lkY6FYQYVdfnSjj3u+ymHGjyJQYVGxcWHfo93uif23EFW3Z8bjprCXh+wM98rFLcsw3YgXRFph5st32Cbm0SmlGd5wM9ClltNmDrh6zM5YwW+q+NyW3ZncI4O3NbH0XwXC0x0+dAnoNy8in4cAmwBCtfRxU91A0rsG7ms6z8+tbq2OwvrmfPzLlQSvWbaFE5Y41Riem/I8vnupL9sMeeOwl2hYy5FtBRYoBd3B5574YrPVbPk0zR=",
            "IQoJb3JpZ2luX2VjPKMFCakyxi+jUloQcfx0OljgNdjCYpc1vYMJqVIvLQKt4CSFAKET4LBZWm6i6X89qyhxrrhbuaYuV8GEpAj08dNPu0DmtFQuOyDwYfFTRVBQaeIKJ8NFRXlCQH5T/8+gXdnSUtG4PpuLQrtsxaoI2eGjGHP4lkY6FYQYVdfnSjj3u+ymHGjyJQYVGxcWHfo93uif23EFW3Z8bjprCXh+wM98rFLcsw3YgXRFph5st32Cbm0SmlGd5wM9ClltNmDrh6zM5YwW+q+NyW3ZncI4O3NbH0XwXC0x0+dAnoNy8in4cAmwBCtfRxU91A0rsG7ms6z8+tbq2OwvrmfPzLlQSvWbaFE5Y41Riem/I8vnupL9sMeeOwl2hYy5FtBRYoBd3B5574YrPVbPk0zR=",
        )
        .tp(
            "[default]\naws_session_token = FwoGZXIvYXdzEoLF/uKCTMnHzXo/bdQASar24clMzFx/6M2H5wOH/Ta0utBbiVSI0DZLlu/tE/P6osypQSH27dz6UY+3EQs021cyLVcHZbNsDTestOnly3QYUbUJ4TcfCWNkgkOVhJBg8a3X+KlVlWx4acLp5hQNK0wt8rr2x7UFU5x2hEV+Xq9B6FwTYXavV9huMQD52BHxnAAITbO4Pqg8xW7PQvyFqSeghsGthq1IYP9JWVA6Gf+nwcOtUXtvEXUVsCUJqEm/HHU04umGpjwYrwyOMLidvKD4W97wfjF4YhRcKKlbuvCrQ",
            "FwoGZXIvYXdzEoLF/uKCTMnHzXo/bdQASar24clMzFx/6M2H5wOH/Ta0utBbiVSI0DZLlu/tE/P6osypQSH27dz6UY+3EQs021cyLVcHZbNsDTestOnly3QYUbUJ4TcfCWNkgkOVhJBg8a3X+KlVlWx4acLp5hQNK0wt8rr2x7UFU5x2hEV+Xq9B6FwTYXavV9huMQD52BHxnAAITbO4Pqg8xW7PQvyFqSeghsGthq1IYP9JWVA6Gf+nwcOtUXtvEXUVsCUJqEm/HHU04umGpjwYrwyOMLidvKD4W97wfjF4YhRcKKlbuvCrQ",
        )
        .fp("export AWS_SESSION_TOKEN=IQoJb3JpZ2luX2Vj...")
        .fp("IQoJb3JpZ2luX2Vj is how every STS session token starts"),
        // Login with Amazon client secrets, used by the Selling Partner API, are
        // `amzn1.oa2-cs.v1.` and 64 hex (Amazon SP-API docs, "Registering your
        // application").
        prefixed(
            "amazon_lwa_client_secret",
            "Login with Amazon (SP-API) client secret",
            r"\bamzn1\.oa2-cs\.v1\.[a-f0-9]{64}\b",
            &["amzn1.oa2-cs.v1."],
            96,
            "AMAZON_LWA_SECRET",
        )
        .tp(
            "LWA_CLIENT_SECRET=amzn1.oa2-cs.v1.d60ca8308f3a2d5b79d4930e918aa18ef38d56d69ff64084c99e01ee8cefe067",
            "amzn1.oa2-cs.v1.d60ca8308f3a2d5b79d4930e918aa18ef38d56d69ff64084c99e01ee8cefe067",
        )
        .tp(
            "client_secret: 'amzn1.oa2-cs.v1.85df9b925437f3d08a74a6aabd1a338fe97f8b9f8dea2ee5503674e493175379'",
            "amzn1.oa2-cs.v1.85df9b925437f3d08a74a6aabd1a338fe97f8b9f8dea2ee5503674e493175379",
        )
        .fp("LWA_CLIENT_SECRET=amzn1.oa2-cs.v1.<secret>")
        .fp("amzn1.oa2-cs.v1.0000000000000000000000000000000000000000000000000000000000000000"),
        // Google OAuth 2.0 refresh tokens start `1//0` followed by about a hundred
        // URL-safe characters (Google Identity docs and OAuth Playground output).
        prefixed(
            "google_oauth_refresh_token",
            "Google OAuth refresh token",
            r"(?:^|[^A-Za-z0-9_/])(?P<value>1//0[A-Za-z0-9_-]{60,200})(?:[^A-Za-z0-9_-]|$)",
            &["1//0"],
            220,
            "GOOGLE_REFRESH_TOKEN",
        )
        .tp(
            "{\"refresh_token\": \"1//0g0kANbDqFAKE0NtxgWW1f0TPFathP7mnQO--FeeiFgMzh4hp5Hae2msaPXZi8aU7jaFY_wyZAnrT5gBVo21gRRcuQDdKtq_5Mys\", \"token_type\": \"Bearer\"}",
            "1//0g0kANbDqFAKE0NtxgWW1f0TPFathP7mnQO--FeeiFgMzh4hp5Hae2msaPXZi8aU7jaFY_wyZAnrT5gBVo21gRRcuQDdKtq_5Mys",
        )
        .tp(
            "GOOGLE_REFRESH_TOKEN=1//04kChz08Fxk-J9BGXchGGhB9bVcXoj0W9wag8TlTe0xkQtd2qvN0pTestOnlyHl9TNqFMbrhO5MuGJ24HzF8vDlhcIK13Pluub",
            "1//04kChz08Fxk-J9BGXchGGhB9bVcXoj0W9wag8TlTe0xkQtd2qvN0pTestOnlyHl9TNqFMbrhO5MuGJ24HzF8vDlhcIK13Pluub",
        )
        .fp("x = 1//0  # ZeroDivisionError")
        .fp("GOOGLE_REFRESH_TOKEN=1//0..."),
        // Firebase Cloud Messaging legacy server keys: `AAAA`, 7 characters,
        // `:APA91b` and about 134 URL-safe characters (Firebase console;
        // trufflehog `firebasecloudmessaging`). Device registration tokens also
        // carry `:APA91b` but not the `AAAA` start.
        prefixed(
            "firebase_fcm_server_key",
            "Firebase Cloud Messaging legacy server key",
            r"\bAAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{100,180}",
            &[":apa91b"],
            200,
            "FCM_SERVER_KEY",
        )
        .tp(
            "FCM_SERVER_KEY=AAAAvO8QDnw:APA91b-jlYkGnyHQFAKEjrSJSIuGYzS-dxSh7X2Iz7YDv1Qot5Bj093Y5B2TqMjdT73qkCC61Rs7gc4nvQDFBxUZRMBs7gckyttd6-N1aDNAF7bUUAyfOHpdgr7JCJT2GDpmxGAAB5o8",
            "AAAAvO8QDnw:APA91b-jlYkGnyHQFAKEjrSJSIuGYzS-dxSh7X2Iz7YDv1Qot5Bj093Y5B2TqMjdT73qkCC61Rs7gc4nvQDFBxUZRMBs7gckyttd6-N1aDNAF7bUUAyfOHpdgr7JCJT2GDpmxGAAB5o8",
        )
        .tp(
            "headers = {\"Authorization\": \"key=AAAA58txdOk:APA91bkX80bXIVk10TVfLlanAWhp1LlDfZ6kZyyJuExaypXMq83eX0Rk-IAKZ0k3ekTestOnlyL-UYlmOX_Cr0fjRjUzQwh2RQe89G8FqRS_6PfuH6waexLwjnrRYbJsPIwWyVQ0R2fN\"}",
            "AAAA58txdOk:APA91bkX80bXIVk10TVfLlanAWhp1LlDfZ6kZyyJuExaypXMq83eX0Rk-IAKZ0k3ekTestOnlyL-UYlmOX_Cr0fjRjUzQwh2RQe89G8FqRS_6PfuH6waexLwjnrRYbJsPIwWyVQ0R2fN",
        )
        .fp("FCM_SERVER_KEY=AAAA...:APA91b...")
        .fp("fcm device token dX3nQ1c0R0e:APA91bH-F2lmmmJhrgSw7H-T2EJ2JrXiZ9_8G"),
        // Cloud Storage HMAC keys for service accounts have 61-character access
        // ids starting `GOOG1` (Cloud Storage docs, "HMAC keys"); the id is the
        // half AWS-style S3 clients send with the secret.
        secret(
            "gcs_hmac_access_id",
            "Google Cloud Storage HMAC access id (service account)",
            Severity::High,
            r"\bGOOG1[A-Z0-9]{56}\b",
        )
        .keywords(&["goog1"])
        .max_len(64)
        .validator(token_entropy(3.0))
        .label("GCS_HMAC_ID")
        .tp(
            "[default]\naws_access_key_id = GOOG1ELIVZY30DL1YNNCTJ6TZ5DO6CEU7ZCN54IHAU2TAUQ156ZHTU8Q6XDU9",
            "GOOG1ELIVZY30DL1YNNCTJ6TZ5DO6CEU7ZCN54IHAU2TAUQ156ZHTU8Q6XDU9",
        )
        .tp(
            "gsutil hmac update -s INACTIVE GOOG1ES5W93S1G9CNS9Z6ITOO2B476QJJKQST4JUS2DE1XJ8G0DAYY1107328",
            "GOOG1ES5W93S1G9CNS9Z6ITOO2B476QJJKQST4JUS2DE1XJ8G0DAYY1107328",
        )
        .fp("GCS_HMAC_ACCESS_ID=GOOG1EXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX")
        .fp("GOOG1 ids are 61 characters long"),
    ]
}
