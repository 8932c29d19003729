//! Credentials found by the file or command they sit in rather than by a
//! key name or a vendor's shape: `.netrc` entries, Docker `config.json`
//! registry auths, and passwords given on a command line. Their values
//! are free-form, so they go through the same placeholder and expression
//! checks as the assignment rules in `credentials.rs`.

use super::credentials::{PLACEHOLDERS, not_literals};
use super::{entropy, secret};
use crate::dlp::RuleSpec;
use crate::schema::Severity;

/// This group's rules.
pub(super) fn rules() -> Vec<RuleSpec> {
    vec![
        // `.netrc` / `_netrc` entries (GNU inetutils and curl docs):
        // `machine HOST login USER password PASS`, on one line or several;
        // `password` takes a blank, not `=`, so the assignment rules miss it.
        secret(
            "netrc_password",
            "Password in a .netrc entry",
            Severity::High,
            r"(?i)\bmachine[ \t]+[^\s]{1,128}\s+(?:login[ \t]+[^\s]{1,128}\s+)?password[ \t]+(?P<value>[^\s]{3,128})",
        )
        .keywords(&["password"])
        .max_len(400)
        .validator(entropy(2.5))
        .allow_patterns(&not_literals())
        .label("PASSWORD")
        .tp(
            "machine api.heroku.com\n  login me@example.com\n  password Hq7-FAKE-t0k3n-x9",
            "Hq7-FAKE-t0k3n-x9",
        )
        .tp(
            "machine github.com login octocat password gho_FAKEexample3AHOVcjqx4BIPWdkry5CJQ",
            "gho_FAKEexample3AHOVcjqx4BIPWdkry5CJQ",
        )
        .fp("machine api.example.com login me password $NETRC_PASSWORD")
        .fp("The machine asks for a login and password at boot."),
        // Docker's `config.json` (`docker login`): each registry under
        // `auths` has an `auth` of base64 `user:password` (Docker docs
        // "docker login", credentials store). Required near: `auths`.
        secret(
            "docker_config_auth",
            "Registry credentials in a Docker config.json",
            Severity::High,
            r#""auth"[ \t]*:[ \t]*"(?P<value>[A-Za-z0-9+/]{12,}={0,2})""#,
        )
        .keywords(&["\"auth\""])
        .max_len(600)
        .context_required(&["auths", "dockerconfigjson"], 512)
        .validator(entropy(3.0))
        .allow_patterns(PLACEHOLDERS)
        .label("REGISTRY_AUTH")
        .tp(
            r#"{"auths": {"registry.example.com": {"auth": "Y2ktYm90OkZBS0UtcmVnaXN0cnktOXhR"}}}"#,
            "Y2ktYm90OkZBS0UtcmVnaXN0cnktOXhR",
        )
        .tp(
            "{\n  \"auths\": {\n    \"ghcr.io\": {\n      \"auth\": \"b2N0b2NhdDpnaHBfRkFLRWV4YW1wbGUzQUhPVmNqcXg0QklQV2Rrcnk1Q0pR\"\n    }\n  }\n}",
            "b2N0b2NhdDpnaHBfRkFLRWV4YW1wbGUzQUhPVmNqcXg0QklQV2Rrcnk1Q0pR",
        )
        .fp(r#"{"auths": {"registry.example.com": {"auth": "<base64 user:password>"}}}"#)
        .fp(r#"{"auth": "ZmFrZXVzZXI6ZmFrZS1wYXNzLTlYcQ==", "note": "oauth client"}"#),
        // Passwords given on a command line: `curl -u user:pass` (gitleaks
        // `curl-auth-user`), `sshpass -p`, MySQL's `-pPASS` (no blank; a
        // blank means "prompt") and `--password=`, `redis-cli -a`, and
        // PowerShell's `ConvertTo-SecureString 'pass' -AsPlainText`.
        secret(
            "command_line_password",
            "Password on a command line",
            Severity::High,
            r#"(?i)(?:\bcurl\b[^\r\n]{0,200}?[ \t](?:-u|--user)(?:[ \t]+|=)["']?[^\s:"']{1,64}:|\bsshpass[ \t]+-p[ \t]*["']?|\bmysql(?:dump|admin)?\b[^\r\n]{0,120}?[ \t](?-i:-p)|\bmysql(?:dump|admin)?\b[^\r\n]{0,120}?[ \t]--password=["']?|\bredis-cli\b[^\r\n]{0,120}?[ \t]-a[ \t]+["']?|\bconvertto-securestring[ \t]+(?:-string[ \t]+)?["'])(?P<value>[^\s"'-][^\s"']{2,127})"#,
        )
        .keywords(&["curl", "sshpass", "mysql", "redis-cli", "convertto-securestring"])
        .max_len(400)
        .validator(entropy(2.5))
        .allow_patterns(PLACEHOLDERS)
        .label("PASSWORD")
        .tp(
            "curl -u deploy:Qx7!FAKE-pw92 https://ci.example.com/api/json",
            "Qx7!FAKE-pw92",
        )
        .tp("sshpass -p 'Zt4#FAKEk9Lm' ssh root@10.0.0.5", "Zt4#FAKEk9Lm")
        .tp("mysql -u root -pWq8$FAKEn3Rt -h db.internal", "Wq8$FAKEn3Rt")
        .tp("redis-cli -a Hn2%FAKEx7Qp -h cache.internal ping", "Hn2%FAKEx7Qp")
        .tp(
            "$pw = ConvertTo-SecureString 'Lp9&FAKEv4Ws' -AsPlainText -Force",
            "Lp9&FAKEv4Ws",
        )
        .fp("curl -u $USER:$PASS https://ci.example.com")
        .fp("mysql -u root -p -h db.internal")
        .fp("mysql -u root -P 3306 -h db.internal")
        .fp("curl -u admin:<password> https://ci.example.com"),
    ]
}
