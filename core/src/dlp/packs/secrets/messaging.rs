//! Messaging and communication platforms: Slack, Discord, Telegram, Twilio,
//! Microsoft Teams and Zapier webhooks, and email services (SendGrid,
//! Mailgun, Mailchimp, Brevo, Postmark, Resend).

use super::{entropy, near_word, prefixed, secret, token_entropy};
use crate::dlp::RuleSpec;
use crate::schema::Severity;

/// Slack's documentation placeholders, which have a webhook's shape.
const SLACK_DOC_WEBHOOKS: &[&str] = &[".*/T0+/B0+/.*", ".*X{20,}"];

/// A made-up body for Slack configuration-token examples (164 characters).
const SLACK_CONFIG_BODY: &str = "FAKEexampleConfigToken3AHOVcjqx4BIPWdkry5CJQXelsz6DKRYfmt7ELSZgnu8FMTahov9GNUbipw03AHOVcjqx4BIPWdkry5CJQXelsz6DKRYfmt7ELSZgnu8FMTahov9GNUbipw03AHOVcjqx4BIPWdkry5CJQ";

/// This group's rules.
pub(super) fn rules() -> Vec<RuleSpec> {
    vec![
        // Slack token shapes: Slack API docs "Token types" and gitleaks
        // `slack-bot-token`, `slack-user-token`, `slack-app-token`.
        secret(
            "slack_bot_token",
            "Slack bot token",
            Severity::Critical,
            r"\bxoxb-[0-9]{10,13}-[0-9]{10,13}-[0-9A-Za-z]{24,34}\b",
        )
        .keywords(&["xoxb-"])
        .max_len(80)
        .validator(token_entropy(3.5))
        .label("SLACK_TOKEN")
        .tp(
            "SLACK_BOT_TOKEN=xoxb-1234567890-1234567890123-FAKEexample3AHOVcjqx4BIP",
            "xoxb-1234567890-1234567890123-FAKEexample3AHOVcjqx4BIP",
        )
        .tp(
            r#"app = App(token="xoxb-9876543210-987654321098-TestOnlyBot3EPalw7ITep0B")"#,
            "xoxb-9876543210-987654321098-TestOnlyBot3EPalw7ITep0B",
        )
        .fp("SLACK_BOT_TOKEN=xoxb-your-bot-token")
        .fp("SLACK_BOT_TOKEN=xoxb-1234567890-1234567890123-short"),
        secret(
            "slack_user_token",
            "Slack user token",
            Severity::Critical,
            r"\bxox[pe](?:-[0-9]{10,13}){3}-[0-9A-Za-z]{28,34}\b",
        )
        .keywords(&["xoxp-", "xoxe-"])
        .max_len(96)
        .validator(token_entropy(3.5))
        .label("SLACK_TOKEN")
        .tp(
            "SLACK_USER_TOKEN=xoxp-1234567890-1234567890-1234567890123-fa4e3a18f6d4b2907e5c3a18f6d4b290",
            "xoxp-1234567890-1234567890-1234567890123-fa4e3a18f6d4b2907e5c3a18f6d4b290",
        )
        .tp(
            "Authorization: Bearer xoxp-9876543210-9876543210-9876543210987-0000fa4e38d27c16b05af49e38d27c16",
            "xoxp-9876543210-9876543210-9876543210987-0000fa4e38d27c16b05af49e38d27c16",
        )
        .fp("SLACK_USER_TOKEN=xoxp-1234567890-1234567890-fa4e3a18f6d4b2907e5c3a18f6d4b290")
        .fp("user tokens begin with xoxp- and belong to one person"),
        secret(
            "slack_app_token",
            "Slack app-level token",
            Severity::Critical,
            r"\bxapp-[0-9]-[0-9A-Z]{8,16}-[0-9]{10,16}-[0-9A-Za-z]{32,80}\b",
        )
        .keywords(&["xapp-"])
        .max_len(128)
        .validator(token_entropy(3.5))
        .label("SLACK_TOKEN")
        .tp(
            "SLACK_APP_TOKEN=xapp-1-A0FAKE12345-1234567890123-fa4e3a18f6d4b2907e5c3a18f6d4b2907e5c3a18f6d4b2907e5c3a18f6d4b290",
            "xapp-1-A0FAKE12345-1234567890123-fa4e3a18f6d4b2907e5c3a18f6d4b2907e5c3a18f6d4b2907e5c3a18f6d4b290",
        )
        .tp(
            r#"SocketModeHandler(app, "xapp-1-A0TEST67890-9876543210987-deadbeef38d27c16b05af49e38d27c16b05af49e38d27c16b05af49e38d27c16")"#,
            "xapp-1-A0TEST67890-9876543210987-deadbeef38d27c16b05af49e38d27c16b05af49e38d27c16b05af49e38d27c16",
        )
        .fp("SLACK_APP_TOKEN=xapp-1-your-app-token")
        .fp("SLACK_APP_TOKEN=xapp-1-A0FAKE12345-1234567890123-short"),
        // Configuration tokens (xoxe.xoxb-1- / xoxe.xoxp-1-) and refresh
        // tokens (xoxe-1-): Slack API docs "Configuration tokens" and "Token
        // rotation". gitleaks `slack-config-access-token` / `-refresh-token`
        // pin today's lengths (163 to 166, and 146); Slack documents no
        // length, so any body from 100 to 200 is taken and the prefix with
        // the entropy floor tell it from prose.
        secret(
            "slack_config_token",
            "Slack configuration or refresh token",
            Severity::Critical,
            r"\b(?:xoxe\.xox[bp]-[0-9]-[0-9A-Za-z]{100,200}|xoxe-[0-9]-[0-9A-Za-z]{100,200})\b",
        )
        .keywords(&["xoxe.xoxb-", "xoxe.xoxp-", "xoxe-"])
        .max_len(230)
        .validator(token_entropy(3.5))
        .label("SLACK_TOKEN")
        .tp(
            &format!("SLACK_CONFIG_TOKEN=xoxe.xoxp-1-{SLACK_CONFIG_BODY}"),
            &format!("xoxe.xoxp-1-{SLACK_CONFIG_BODY}"),
        )
        .tp(
            &format!(r#"{{"refresh_token": "xoxe-1-{}"}}"#, &SLACK_CONFIG_BODY[..146]),
            &format!("xoxe-1-{}", &SLACK_CONFIG_BODY[..146]),
        )
        .tp(
            &format!("SLACK_CONFIG: xoxe.xoxb-1-{}", &SLACK_CONFIG_BODY[..150]),
            &format!("xoxe.xoxb-1-{}", &SLACK_CONFIG_BODY[..150]),
        )
        .fp("xoxe.xoxp-1-SlackAppConfigurationAccessTokenHere")
        .fp("xoxe-1-xxx and XOxE-RROAmw, Home and Garden, 5:24, 20120323"),
        // Tokens of Slack's legacy formats (Slack API docs "Legacy tokens";
        // gitleaks `slack-legacy-token`, `-legacy-workspace-token`,
        // `-legacy-bot-token`; detect-secrets `SlackDetector`): xoxs- / xoxo-
        // with three numeric ids and hex, xoxa- / xoxr- workspace tokens,
        // and two-part xoxb- bot tokens. Still accepted where not revoked.
        secret(
            "slack_legacy_token",
            "Slack legacy token",
            Severity::Critical,
            r"\b(?:xox[os]-[0-9]{4,14}-[0-9]{4,14}-[0-9]{4,14}-[0-9a-fA-F]{10,64}|xox[ar]-(?:[0-9]-)?[0-9A-Za-z]{8,48}(?:-[0-9A-Za-z]{8,48}){0,3}|xoxb-[0-9]{8,14}-[0-9A-Za-z]{18,32})\b",
        )
        .keywords(&["xoxs-", "xoxo-", "xoxa-", "xoxr-", "xoxb-"])
        .max_len(200)
        .validator(token_entropy(3.0))
        .label("SLACK_TOKEN")
        .tp(
            r#""access_token": "xoxs-3206092076-3204538285-3743137121-fa4e3a18f6""#,
            "xoxs-3206092076-3204538285-3743137121-fa4e3a18f6",
        )
        .tp(
            "SLACK_TOKEN=xoxa-2-FAKEexample3AHOVcjqx4BIP",
            "xoxa-2-FAKEexample3AHOVcjqx4BIP",
        )
        .tp(
            r#"slack = Slacker("xoxb-263594206564-FAKEexample3AHOVcjqx4")"#,
            "xoxb-263594206564-FAKEexample3AHOVcjqx4",
        )
        .fp("https://github.com/xoxa-nyc/xoxa-nyc.github.io/blob/master/README.md")
        .fp("https://indieweb.org/images/3/35/2018-250-xoxo-indieweb-1.jpg")
        .fp("SLACK_TOKEN=xoxb-xxxxxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx"),
        // Slack browser session credentials: the client token `xoxc-` (three
        // numeric ids and 64 hex) and the `d` cookie `xoxd-` (URL-encoded
        // base64), which together act as the signed-in user (trufflehog
        // `slack` detector's token kinds; Slack's "token types" list names
        // only the documented kinds, these are what the web client sends).
        secret(
            "slack_session_token",
            "Slack browser session token or cookie",
            Severity::Critical,
            r"\b(?P<value>xoxc-[0-9]{8,14}-[0-9]{8,14}-[0-9]{8,14}-[0-9a-f]{64}|xoxd-[A-Za-z0-9%/+=_-]{40,400})(?:[^A-Za-z0-9%/+=_-]|$)",
        )
        .keywords(&["xoxc-", "xoxd-"])
        .max_len(420)
        .validator(token_entropy(3.5))
        .label("SLACK_TOKEN")
        .tp(
            "SLACK_XOXC=xoxc-4021567823-4031276540912-4039817263541-eee65f53e9421ce50211670eae679f02e8d28a79023c39c200661fccd268a29a",
            "xoxc-4021567823-4031276540912-4039817263541-eee65f53e9421ce50211670eae679f02e8d28a79023c39c200661fccd268a29a",
        )
        .tp(
            "Cookie: d=xoxd-FAKEq8Wn3Xc6Vb9Mk2Lj5Hg8fD1sA4pO7iU0yT3rE6wQ9%2BzX2cV5bN8mL1kJ4hG7%3D%3D; b=abc",
            "xoxd-FAKEq8Wn3Xc6Vb9Mk2Lj5Hg8fD1sA4pO7iU0yT3rE6wQ9%2BzX2cV5bN8mL1kJ4hG7%3D%3D",
        )
        .fp("SLACK_XOXC=xoxc-...")
        .fp("Cookie: d=xoxd-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        // gitleaks `slack-webhook-url`. Posting to a channel is less than
        // account access, hence high rather than critical.
        secret(
            "slack_webhook_url",
            "Slack incoming webhook URL",
            Severity::High,
            r"(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,80}\b",
        )
        .keywords(&["hooks.slack.com"])
        .max_len(100)
        .allow_patterns(SLACK_DOC_WEBHOOKS)
        .label("SLACK_WEBHOOK")
        .tp(
            "SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T0FAKE123/B0FAKE4567/FAKEexample3AHOVcjqx4BIP",
            "https://hooks.slack.com/services/T0FAKE123/B0FAKE4567/FAKEexample3AHOVcjqx4BIP",
        )
        .tp(
            r#"requests.post("https://hooks.slack.com/services/T01EXAMPLE/B02EXAMPLE/TestOnlyHook3EPalw7ITep0", json=msg)"#,
            "https://hooks.slack.com/services/T01EXAMPLE/B02EXAMPLE/TestOnlyHook3EPalw7ITep0",
        )
        // Workflow webhooks have a fourth path part (gitleaks
        // `slack-webhook-url` examples), so the path runs to 80.
        .tp(
            "curl -X POST https://hooks.slack.com/workflows/T0FAKE123/A0FAKE4567/430780826188280067/FAKEexample3AHOVcjqx4BIP",
            "https://hooks.slack.com/workflows/T0FAKE123/A0FAKE4567/430780826188280067/FAKEexample3AHOVcjqx4BIP",
        )
        .fp("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX")
        .fp("See https://hooks.slack.com/services/ for the incoming webhook docs."),
        // Bot tokens are three base64url segments: the bot's user id (which
        // encodes to M, N or O first), a timestamp and an HMAC (Discord
        // developer docs). The token has no fixed literal, so a Discord word
        // or the discord.py / discord.js call that takes it must precede it
        // (a bare "bot" would trigger on every "both").
        secret(
            "discord_bot_token",
            "Discord bot token",
            Severity::Critical,
            r"(?i:discord|bot[_ -]?token|bot\.run|client\.login)[^\n]{0,64}?\b(?P<value>[MNO][0-9A-Za-z_-]{23,27}\.[0-9A-Za-z_-]{6}\.[0-9A-Za-z_-]{27,38})(?:[^0-9A-Za-z_-]|$)",
        )
        .keywords(&[
            "discord",
            "bot_token",
            "bot token",
            "bot-token",
            "bottoken",
            "bot.run",
            "client.login",
        ])
        .max_len(160)
        .validator(entropy(3.5))
        .label("DISCORD_TOKEN")
        .tp(
            "DISCORD_TOKEN=MTAxFAKEexample3AHOVcjqx29.Gx38DI.TestOnly3EPalw5GRcny7ITep_9KVgr0BMXit2",
            "MTAxFAKEexample3AHOVcjqx29.Gx38DI.TestOnly3EPalw5GRcny7ITep_9KVgr0BMXit2",
        )
        .tp(
            "bot.run('NzExExampleBot3GTgt4HUhu.Yq369C.FAKE3AHOVcjqx29GNUbipw18FMT')",
            "NzExExampleBot3GTgt4HUhu.Yq369C.FAKE3AHOVcjqx29GNUbipw18FMT",
        )
        .fp("My Discord client id is 123456789012345678, which is public.")
        .fp("bot token: MTAxFAKE.short.x")
        .fp("the robot printed MTAxFAKEexample3AHOVcjqx29.Gx38DI.TestOnly3EPalw5GRcny7ITep_9KVgr0BMXit2"),
        // Webhook id (a snowflake) and a 68-character token (Discord
        // developer docs "Webhook resource").
        secret(
            "discord_webhook_url",
            "Discord webhook URL",
            Severity::High,
            r"https://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[0-9A-Za-z_-]{60,68}",
        )
        .keywords(&["discord.com/api/webhooks", "discordapp.com/api/webhooks"])
        .max_len(140)
        .allow_patterns(&[".*/X{60,}"])
        .label("DISCORD_WEBHOOK")
        .tp(
            "DISCORD_WEBHOOK=https://discord.com/api/webhooks/123456789012345678/FAKE-example_3AHOVcjqx29GNUbipw18FMTahov07ELSZgnu-6DKRYfmt_5CJQXelsz",
            "https://discord.com/api/webhooks/123456789012345678/FAKE-example_3AHOVcjqx29GNUbipw18FMTahov07ELSZgnu-6DKRYfmt_5CJQXelsz",
        )
        .tp(
            "curl -X POST https://discordapp.com/api/webhooks/987654321098765432/TestOnly3EPalw5GRcny7ITep_9KVgr0BMXit2DOZkv4FQbmx6HSdoz8JUfq-ALWhs1C -d @msg.json",
            "https://discordapp.com/api/webhooks/987654321098765432/TestOnly3EPalw5GRcny7ITep_9KVgr0BMXit2DOZkv4FQbmx6HSdoz8JUfq-ALWhs1C",
        )
        .fp("https://discord.com/api/webhooks/{webhook.id}/{webhook.token}")
        .fp("https://discord.com/api/webhooks/123456789012345678/XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
        // Bot id, `:`, and 35 characters starting with A (Telegram Bot API
        // docs; gitleaks `telegram-bot-api-token`, which allows ids of up to
        // 16 digits). The bot id's digit run is the trigger; no `\b` before
        // it because API URLs read `/bot<token>`.
        secret(
            "telegram_bot_token",
            "Telegram bot token",
            Severity::Critical,
            r"(?:^|[^0-9])(?P<value>[0-9]{8,16}:A[0-9A-Za-z_-]{34})(?:[^0-9A-Za-z_-]|$)",
        )
        .min_digits(8)
        .trigger_shape(crate::dlp::TriggerShape::DigitsThen(":A"))
        .max_len(72)
        .validator(entropy(3.5))
        .context_boost(&["telegram", "bot"], 128, 0.15)
        .label("TELEGRAM_TOKEN")
        .tp(
            "TELEGRAM_BOT_TOKEN=123456789:AAFAKE-example3AHOVcjqx29GNUbipw18F",
            "123456789:AAFAKE-example3AHOVcjqx29GNUbipw18F",
        )
        .tp(
            "https://api.telegram.org/bot9876543210:AATestOnly3EPalw5GRcny7ITep_9KVgr0B/getMe",
            "9876543210:AATestOnly3EPalw5GRcny7ITep_9KVgr0B",
        )
        .fp("order 1234567:AAFAKE-example3AHOVcjqx29GNUbipw18F shipped")
        .fp("TELEGRAM_BOT_TOKEN=123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .fp("ticket 123456789:Approved by the release manager")
        // Keyboard-order letters are a made-up token, not a random one.
        .fp("order 12345678:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"),
        // The same shape with any first character after the colon, where a
        // Telegram word says what it is (Telegram Bot API docs: "the token
        // is a string like `110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw`";
        // the task's `\d{8,10}:[A-Za-z0-9_-]{35}`). Tokens made up for
        // examples do not always start with `A`.
        secret(
            "telegram_bot_token_named",
            "Telegram bot token (named)",
            Severity::Critical,
            r"(?i:telegram|telebot|bot[_-]?token|tg[_-]?token)[\s\S]{0,64}?[^0-9](?P<value>[0-9]{8,10}:[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)",
        )
        .keywords(&["telegram", "telebot", "bot_token", "bot-token", "bottoken", "tg_token", "tg-token", "tgtoken"])
        .max_len(140)
        .validator(entropy(3.5))
        .label("TELEGRAM_TOKEN")
        .tp(
            r#"bot = telebot.TeleBot("6851580154:Xm2FAKEhrT2vl_B79xfUgAlIJUdJAZv0wxS")"#,
            "6851580154:Xm2FAKEhrT2vl_B79xfUgAlIJUdJAZv0wxS",
        )
        .tp(
            "https://api.telegram.org/bot111044447:SPVTestOnlyjg01iJi75WXerIN_U8ctyIDq/getMe",
            "111044447:SPVTestOnlyjg01iJi75WXerIN_U8ctyIDq",
        )
        .fp("TELEGRAM_BOT_TOKEN=123456789:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
        .fp("telegram chat 1234567:Xm2FAKEhrT2vl_B79xfUgAlIJUdJAZv0wxS")
        .tp(
            "- name: TELEGRAM_TOKEN\n  value: \"911331757:rL30FAKEanLDEY91cNAfoxeObOAG0y6Bhx2\"",
            "911331757:rL30FAKEanLDEY91cNAfoxeObOAG0y6Bhx2",
        ),
        // Twilio ids are AC/SK and 32 hex (Twilio docs "Account SID", "API
        // keys"). An account SID is an identifier, not a secret, so medium.
        secret(
            "twilio_account_sid",
            "Twilio account SID",
            Severity::Medium,
            r"(?i:twilio|account[_-]?sid)[^\n]{0,48}?\b(?P<value>AC[0-9a-f]{32})\b",
        )
        .keywords(&["twilio", "account_sid", "account-sid", "accountsid"])
        .max_len(100)
        .context_required(&["twilio"], 256)
        .label("TWILIO_SID")
        .tp(
            "TWILIO_ACCOUNT_SID=ACfa4edeadbeef3a18f6d4b2907e5c3a18",
            "ACfa4edeadbeef3a18f6d4b2907e5c3a18",
        )
        .tp(
            "from twilio.rest import Client\nclient = Client(account_sid=\"AC0123456789abcdef38d27c16b05af49e\")",
            "AC0123456789abcdef38d27c16b05af49e",
        )
        .fp("TWILIO_ACCOUNT_SID=ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX")
        .fp("account_sid: ACfa4edeadbeef3a18f6d4b2907e5c3a18"),
        // The SID of an API key names it; the secret is shown once. High
        // because the SID plus any leaked secret is access.
        secret(
            "twilio_api_key",
            "Twilio API key SID",
            Severity::High,
            r"(?i:twilio|api[_-]?key|key[_-]?sid)[^\n]{0,48}?\b(?P<value>SK[0-9a-f]{32})\b",
        )
        .keywords(&[
            "twilio", "api_key", "api-key", "apikey", "key_sid", "key-sid", "keysid",
        ])
        .max_len(100)
        .context_required(&["twilio"], 256)
        .label("TWILIO_API_KEY")
        .tp(
            "TWILIO_API_KEY=SKfa4edeadbeef3e94fa50b61c72d83e94",
            "SKfa4edeadbeef3e94fa50b61c72d83e94",
        )
        .tp(
            "# twilio credentials\napi_key_sid = 'SKcafebabe369cf258be147ad0369cf258'",
            "SKcafebabe369cf258be147ad0369cf258",
        )
        .fp("api_key = 'SKfa4edeadbeef3e94fa50b61c72d83e94'")
        .fp("TWILIO_API_KEY=SKXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
        // Auth tokens are 32 hex characters (Twilio docs "Auth Tokens").
        secret(
            "twilio_auth_token",
            "Twilio auth token",
            Severity::Critical,
            r#"(?i)auth[_-]?token["']?\s*(?:=>|:=|[:=])\s*["']?(?P<value>[0-9a-f]{32})\b"#,
        )
        .keywords(&["auth_token", "auth-token", "authtoken"])
        .max_len(80)
        .validator(entropy(3.0))
        .context_required(&["twilio"], 256)
        .label("TWILIO_AUTH_TOKEN")
        .tp(
            "TWILIO_AUTH_TOKEN=fa4edeadbeef30da741eb852fc9630da",
            "fa4edeadbeef30da741eb852fc9630da",
        )
        .tp(
            "twilio:\n  account_sid: ACfa4edeadbeef3a18f6d4b2907e5c3a18\n  auth_token: \"00cafebabe3c5e7092b4d6f81a3c5e70\"",
            "00cafebabe3c5e7092b4d6f81a3c5e70",
        )
        .fp("auth_token = fa4edeadbeef30da741eb852fc9630da")
        .fp("TWILIO_AUTH_TOKEN=your_auth_token"),
        // gitleaks `sendgrid-api-token`: SG., 22, `.`, 43; trufflehog
        // `sendgrid` accepts 20-24 and 39-50 (its test key has 21 and 49).
        secret(
            "sendgrid_api_key",
            "SendGrid API key",
            Severity::Critical,
            r"\b(?P<value>SG\.[0-9A-Za-z_-]{20,24}\.[0-9A-Za-z_-]{39,50})(?:[^0-9A-Za-z_-]|$)",
        )
        .keywords(&["sg."])
        .max_len(80)
        .validator(token_entropy(3.5))
        .label("SENDGRID_KEY")
        .tp(
            "SENDGRID_API_KEY=SG.FAKEexample3AHOVcjqx29.TestOnly3EPalw5GRcny7ITep_9KVgr0BMXit2DOZkv",
            "SG.FAKEexample3AHOVcjqx29.TestOnly3EPalw5GRcny7ITep_9KVgr0BMXit2DOZkv",
        )
        .tp(
            r#"sg = SendGridAPIClient("SG.TestOnly3GTgt4HUhu5IVi.FAKE-example38DINSXchmrw-49EJOTYdinsx05AFKP")"#,
            "SG.TestOnly3GTgt4HUhu5IVi.FAKE-example38DINSXchmrw-49EJOTYdinsx05AFKP",
        )
        .tp(
            "sendgrid token = 'SG.FAKE-exampl3AHOVcjqx.TestOnly3EPalw5GRcny7ITep_9KVgr0BMXit2DOZk-I'",
            "SG.FAKE-exampl3AHOVcjqx.TestOnly3EPalw5GRcny7ITep_9KVgr0BMXit2DOZk-I",
        )
        .fp("msg.subject = 'hello'; SG.send(msg)")
        .fp("SENDGRID_API_KEY=SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        // gitleaks `mailgun-private-api-token`: key- and 32 characters (hex
        // in gitleaks; trufflehog `mailgun` allows lower-case alphanumerics).
        // Newer keys are 32 hex, 8 hex and 8 hex joined by dashes (trufflehog
        // `mailgun`). Cache keys and hashes often look the same, so a
        // Mailgun word must be near.
        secret(
            "mailgun_api_key",
            "Mailgun API key",
            Severity::Critical,
            r"\b(?:key-[0-9a-z]{32}|[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})\b",
        )
        .keywords(&["key-", "mailgun"])
        .max_len(128)
        .validator(token_entropy(3.0))
        .context_required(&["mailgun"], 160)
        .label("MAILGUN_KEY")
        .tp(
            "curl -s --user 'api:key-fa4edeadbeef3a18f6d4b2907e5c3a18' https://api.mailgun.net/v3/fake.example.com/messages",
            "key-fa4edeadbeef3a18f6d4b2907e5c3a18",
        )
        .tp(
            "MAILGUN_API_KEY=key-cafebabe3e94fa50b61c72d83e94fa50",
            "key-cafebabe3e94fa50b61c72d83e94fa50",
        )
        .tp(
            "mailgun:\n  api_key: fa4edeadbeef3a18f6d4b2907e5c3a18-5eeb6406-757a4247",
            "fa4edeadbeef3a18f6d4b2907e5c3a18-5eeb6406-757a4247",
        )
        .fp("cache key-5d41402abc4b2a76b9719d911017c592 expired")
        .fp("MAILGUN_API_KEY=key-00000000000000000000000000000000"),
        // Mailchimp Marketing API keys: 32 hex, `-us`, the data centre
        // number (Mailchimp docs "About API keys"; gitleaks
        // `mailchimp-api-key`). The `-usN` suffix is the trigger.
        prefixed(
            "mailchimp_api_key",
            "Mailchimp API key",
            r"\b[a-f0-9]{32}-us[0-9]{1,2}\b",
            &["-us0", "-us1", "-us2", "-us3", "-us4", "-us5", "-us6", "-us7", "-us8", "-us9"],
            48,
            "MAILCHIMP_KEY",
        )
        .tp("MAILCHIMP_API_KEY=1bdb4efe5590ada3c2d2f6164dda4d02-us21", "1bdb4efe5590ada3c2d2f6164dda4d02-us21")
        .tp("mailchimp.setConfig({ apiKey: '5d3bb2b21a97aa7f6a3ee0011e5019a0-us6' })", "5d3bb2b21a97aa7f6a3ee0011e5019a0-us6")
        .fp("MAILCHIMP_API_KEY=2d04b7e409aecec7d25d-us21")
        .fp("Accept-Language: en-us1"),
        // Brevo (Sendinblue) API and SMTP keys: xkeysib- / xsmtpsib- + 64
        // hex + `-` + 16 (gitleaks `sendinblue-api-token`).
        prefixed(
            "brevo_api_key",
            "Brevo (Sendinblue) API key",
            r"\bx(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}\b",
            &["xkeysib-", "xsmtpsib-"],
            100,
            "BREVO_KEY",
        )
        .tp(
            "BREVO_API_KEY=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",
            "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",
        )
        .tp(
            "smtp_password: xsmtpsib-f76a6693e1dbc72abff1a3fd157cfdfe78699c2a08c8486400a5adb6cba6274c-dQ6rcEKSdBFzje3p",
            "xsmtpsib-f76a6693e1dbc72abff1a3fd157cfdfe78699c2a08c8486400a5adb6cba6274c-dQ6rcEKSdBFzje3p",
        )
        .fp("BREVO_API_KEY=xkeysib-e4fd9f5924609c609511761f9a71a291fae4e4c0c7a5e6c469bd1700e910c053")
        .fp("BREVO_API_KEY=xkeysib-xxxxxxxx"),
        // Postmark server and account tokens are UUIDs, so a Postmark word
        // must come first (trufflehog `postmark`).
        secret(
            "postmark_token",
            "Postmark server or account token",
            Severity::Critical,
            &near_word(
                "postmark",
                "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            ),
        )
        .keywords(&["postmark"])
        .max_len(128)
        .validator(entropy(3.0))
        .label("POSTMARK_TOKEN")
        .tp(
            "POSTMARK_SERVER_TOKEN=6ff2918a-c70d-b8b8-d8eb-70e801f58e1a",
            "6ff2918a-c70d-b8b8-d8eb-70e801f58e1a",
        )
        .tp(
            "-H \"X-Postmark-Server-Token: 4ad5656f-6f93-baf2-2df6-2097b1496e2a\"",
            "4ad5656f-6f93-baf2-2df6-2097b1496e2a",
        )
        .fp("POSTMARK_SERVER_TOKEN=00000000-0000-0000-0000-000000000000")
        .fp("request 3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d failed"),
        // Microsoft Teams incoming webhooks (Microsoft Learn "Create an
        // Incoming Webhook"): anyone with the URL can post to the channel.
        secret(
            "teams_webhook_url",
            "Microsoft Teams incoming webhook URL",
            Severity::High,
            r"https://[a-z0-9-]+\.webhook\.office\.com/webhookb2/[a-f0-9-]{36}@[a-f0-9-]{36}/IncomingWebhook/[A-Za-z0-9]{32}/[a-f0-9-]{36}(?:/[A-Za-z0-9_-]{20,80})?",
        )
        .keywords(&["webhook.office.com"])
        .max_len(320)
        .label("WEBHOOK_URL")
        .tp(
            "TEAMS_WEBHOOK=https://contoso.webhook.office.com/webhookb2/5f7ecbc2-379e-aeae-3e1f-ee08b7bc0306@655aa1ca-b549-007d-4015-e2433eb137e0/IncomingWebhook/Xbj1o0fKpE6EIejxSqmgBGAZhMs7AIbx/37336106-6baf-0f8a-9f90-657b24d191ab",
            "https://contoso.webhook.office.com/webhookb2/5f7ecbc2-379e-aeae-3e1f-ee08b7bc0306@655aa1ca-b549-007d-4015-e2433eb137e0/IncomingWebhook/Xbj1o0fKpE6EIejxSqmgBGAZhMs7AIbx/37336106-6baf-0f8a-9f90-657b24d191ab",
        )
        .tp(
            "curl -H 'Content-Type: application/json' -d '{}' https://fabrikam.webhook.office.com/webhookb2/0c6453e4-1d61-e2ec-bfc5-0df764944caa@0f371b9d-30a0-56b1-4b03-78a375c37b36/IncomingWebhook/5nSPJ5xRZ2b6tK08vSnBbBXtmCvdD159/053ba42b-a20c-5836-212a-00b07fad5ada/V2ckAKRv2ZKlUDuu4OOdVWZtg2gG-ZD2y3fzUEt7r3",
            "https://fabrikam.webhook.office.com/webhookb2/0c6453e4-1d61-e2ec-bfc5-0df764944caa@0f371b9d-30a0-56b1-4b03-78a375c37b36/IncomingWebhook/5nSPJ5xRZ2b6tK08vSnBbBXtmCvdD159/053ba42b-a20c-5836-212a-00b07fad5ada/V2ckAKRv2ZKlUDuu4OOdVWZtg2gG-ZD2y3fzUEt7r3",
        )
        .fp("Post to https://contoso.webhook.office.com/webhookb2/<group>@<tenant>/IncomingWebhook/<id>/<owner>")
        .fp("webhook.office.com hosts Teams incoming webhooks"),
        // Zapier "Catch Hook" trigger URLs:
        // `https://hooks.zapier.com/hooks/catch/<account>/<hook>/`; anyone with
        // the URL can start the Zap (Zapier help "Webhooks by Zapier").
        secret(
            "zapier_webhook_url",
            "Zapier catch hook URL",
            Severity::High,
            r"https://hooks\.zapier\.com/hooks/catch/[0-9]{3,12}/[A-Za-z0-9]{4,16}/?",
        )
        .keywords(&["hooks.zapier.com"])
        .max_len(80)
        .validator(token_entropy(3.0))
        .label("WEBHOOK_URL")
        .tp(
            "ZAPIER_WEBHOOK_URL=https://hooks.zapier.com/hooks/catch/8810491/zrr21a/",
            "https://hooks.zapier.com/hooks/catch/8810491/zrr21a/",
        )
        .tp(
            "requests.post(\"https://hooks.zapier.com/hooks/catch/96425175/m2meaf/\", json=lead)",
            "https://hooks.zapier.com/hooks/catch/96425175/m2meaf/",
        )
        .fp("see https://hooks.zapier.com/hooks/catch/ for the format")
        .fp("https://zapier.com/apps/webhook/integrations"),
        // Resend API keys: `re_` and about 32 characters with an inner `_`
        // (Resend docs "API keys"; trufflehog `resend`). `re_` starts too
        // many identifiers to trigger on, so a Resend word must come first.
        secret(
            "resend_api_key",
            "Resend API key",
            Severity::Critical,
            &near_word("resend", "re_[A-Za-z0-9]{6,12}_[A-Za-z0-9]{16,32}"),
        )
        .keywords(&["resend"])
        .max_len(128)
        .validator(entropy(3.0))
        .label("RESEND_KEY")
        .tp("RESEND_API_KEY=re_Qw7ZpF4k_N2vXkR8sLm4TbY9cJd3HgA6", "re_Qw7ZpF4k_N2vXkR8sLm4TbY9cJd3HgA6")
        .tp(
            "const resend = new Resend('re_FAKEt8Lm_9kPzQ2wXc7VbN4rTy6UhJ3s');",
            "re_FAKEt8Lm_9kPzQ2wXc7VbN4rTy6UhJ3s",
        )
        .fp("RESEND_API_KEY=re_123456789")
        .fp("resend the mail: are_you_sure_about_this_one_it_is_long"),
    ]
}
