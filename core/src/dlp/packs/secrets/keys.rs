//! Private keys and signed tokens: PEM (PKCS#1, SEC 1, PKCS#8), OpenSSH,
//! PuTTY and OpenPGP private keys, and JWTs (by shape, and in a variable).
//!
//! Their bodies are unbounded in the patterns: a counted bound such as
//! `{0,16000}` compiles to one automaton state per repetition, megabytes per
//! rule. `max_len` (16 KiB, room for an RSA-8192 key) bounds them instead,
//! through the prefilter window; a longer block is matched over its first
//! part, which still redacts the key material that matters.

use super::{entropy, secret};
use crate::dlp::{RuleSpec, Validator};
use crate::schema::Severity;

/// A made-up PKCS#1 body: the usual `MIIEow…` start, then filler.
const RSA_PEM: &str = "-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAfakeFAKEAHOVcjqx4/GNUbipw3+FMTahov29ELSZgnu18DKR
BKTclu3AJSbkt2/IRajs1+HQZir09GPYhqz8FOXgpy7ENWfox6DMVenw5CLUdmv4
CNYju5EPalw7GRcny9ITep0/KVgr2BMXit4DOZkv6FQbmx8HSdoz+JUfq1ALWhs3
FAKEendDINSXchmrw16/==
-----END RSA PRIVATE KEY-----";

const OPENSSH_KEY: &str = "-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQFAKEAJSbkt2/IRajs1+HQZir09GP
BMXit4DOZkv6FQbmx8HSdoz+JUfq1ALWhs3CNYju5EPalw7GRcny9ITep0/KVgr2BMXit4
CPcp2DQdq3ERer4FSfs5GTgt6HUhu7IViv8JWjw9KXkx+LYly/MZmzANan0BObo1CPcp2D
-----END OPENSSH PRIVATE KEY-----";

/// A made-up PuTTY key file (PPK version 3 layout).
const PUTTY_KEY: &str = "PuTTY-User-Key-File-3: ssh-ed25519
Encryption: none
Comment: made-up example, not a key
Public-Lines: 2
AAAAC3NzaC1lZDI1NTE5AAAAIFAKEexampleBKTclu3AJSbkt2/IRajs1+HQZir09GP
Yhqz8FOXgpy7
Private-Lines: 1
AAAAIFAKEexampleCNYju5EPalw7GRcny9ITep0/KVgr2BMXit4DOZkv6FQbm
Private-MAC: fa4edeadbeef3a18f6d4b2907e5c3a18f6d4b2907e5c3a18f6d4b2907e5c3a18";

const PGP_KEY: &str = "-----BEGIN PGP PRIVATE KEY BLOCK-----
Comment: made-up example, not a key

lQOYBGFAKEexampleAFKPUZejoty38BGLQVafkpuz49CHMRWbglqv05+DINSXchm
BIPWdkry5AHOVcjqx4/GNUbipw3+FMTahov29ELSZgnu18DKRYfmt07CJQXelsz6
=FaKe
-----END PGP PRIVATE KEY BLOCK-----";

/// A made-up key in the SSH2 armor (header line, then base64).
const SSH2_KEY: &str = "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----
Comment: \"rsa-key-20240101\"
P2/56wAAAi4AAAA3aWYtbW9kbntzaWdue3JzYS1wa2NzMS1zaGExfSxlbmNyeXB0e3JzYS1wa2NzMXYyLW9hZXB9fQAAAARub25lAAAB3wAAAdsAAAARAQABFAKEexample3AHOVcjqx4BIPWdkry5CJQXelsz6DKRYfmt7ELSZgnu
---- END SSH2 ENCRYPTED PRIVATE KEY ----";

/// This group's rules.
pub(super) fn rules() -> Vec<RuleSpec> {
    vec![
        // RFC 7468 armor (RSA, EC, DSA, PKCS#8 plain and encrypted, and the
        // EdDSA/X25519 labels some tools write). A complete block needs a 40-character base64 run
        // inside (prose between two markers has none); a block pasted
        // without its END line is matched over its base64 lines. Quotes and
        // `+` between lines are string concatenation in code
        // (`"-----BEGIN RSA PRIVATE KEY-----\n" + "MII…"`).
        secret(
            "private_key",
            "PEM private key",
            Severity::Critical,
            r#"---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----[\s\S]{0,400}?[A-Za-z0-9+/=]{40}[\s\S]*?---- END SSH2 ENCRYPTED PRIVATE KEY ----|-----BEGIN (?:RSA |EC |DSA |ENCRYPTED |ANY |ED25519 |ED448 |X25519 |X448 )?PRIVATE KEY-----(?:[A-Za-z0-9+/=\s\\:,"'-]{0,200}?[A-Za-z0-9+/=]{40}[A-Za-z0-9+/=\s\\:,"'-]*?-----END (?:RSA |EC |DSA |ENCRYPTED |ANY |ED25519 |ED448 |X25519 |X448 )?PRIVATE KEY-----|(?:[\s"'+]|\\[nrt]?){1,12}[A-Za-z0-9+/=]{40,80}(?:(?:[\s"'+]|\\[nrt]?){1,12}[A-Za-z0-9+/=]{16,80})*)"#,
        )
        .keywords(&["private key-----", "private key ----"])
        .max_len(16384)
        .label("PRIVATE_KEY")
        .tp(&format!("Here is the deploy key:\n{RSA_PEM}\nthanks"), RSA_PEM)
        // The armor of SSH Communications Security's SSH2 (Tectia) keys,
        // with header lines.
        .tp(SSH2_KEY, SSH2_KEY)
        .fp("---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\n...\n---- END SSH2 ENCRYPTED PRIVATE KEY ----")
        .tp(
            r#"{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCFAKEexampleBKTclu3AJSbkt2/IRajs1+HQ\nCNYju5EPalw7GRcny9ITep0/KVgr2BMXit4DOZkv6FQbmx8HSdoz+JUfq1ALWhs3\n-----END PRIVATE KEY-----\n", "client_email": "fake@example.iam.gserviceaccount.com"}"#,
            r"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCFAKEexampleBKTclu3AJSbkt2/IRajs1+HQ\nCNYju5EPalw7GRcny9ITep0/KVgr2BMXit4DOZkv6FQbmx8HSdoz+JUfq1ALWhs3\n-----END PRIVATE KEY-----",
        )
        .tp(
            "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIFAKEexampleCNYju5EPalw7GRcny9ITep0/KVgr2BMXit4DOZkv6FQ\nDQdq3ERer4FSfs5GTgt6HUhu7IViv8JWjw9KXkx\n(the rest got cut off)",
            "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIFAKEexampleCNYju5EPalw7GRcny9ITep0/KVgr2BMXit4DOZkv6FQ\nDQdq3ERer4FSfs5GTgt6HUhu7IViv8JWjw9KXkx",
        )
        .tp(
            "String key = \"-----BEGIN RSA PRIVATE KEY-----\\n\" +\n    \"MIIEowIBAAKCAQEAfakeFAKEAHOVcjqx4/GNUbipw3+FMTahov29ELSZgnu18DKR\\n\" +\n    \"BKTclu3AJSbkt2/IRajs1+HQZir09GPYhqz8FOXgpy7ENWfox6DMVenw5CLUdmv4\\n\";",
            "-----BEGIN RSA PRIVATE KEY-----\\n\" +\n    \"MIIEowIBAAKCAQEAfakeFAKEAHOVcjqx4/GNUbipw3+FMTahov29ELSZgnu18DKR\\n\" +\n    \"BKTclu3AJSbkt2/IRajs1+HQZir09GPYhqz8FOXgpy7ENWfox6DMVenw5CLUdmv4",
        )
        .tp(
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQIFAKEexample3AHOVcjqx4\n-----END ENCRYPTED PRIVATE KEY-----",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQIFAKEexample3AHOVcjqx4\n-----END ENCRYPTED PRIVATE KEY-----",
        )
        .fp("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAfakeFAKEAHOVcjqx4/GNUbip\n-----END PUBLIC KEY-----")
        .fp(r#"pem = "-----BEGIN RSA PRIVATE KEY-----\n" + "..." + "\n-----END RSA PRIVATE KEY-----""#)
        .fp("Paste it between -----BEGIN RSA PRIVATE KEY----- and -----END RSA PRIVATE KEY----- exactly as issued, with nothing else around it.")
        .fp("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----"),
        // OpenSSH's own format (PROTOCOL.key in OpenSSH): the body always
        // starts with base64 of "openssh-key-v1".
        secret(
            "openssh_private_key",
            "OpenSSH private key",
            Severity::Critical,
            r"-----BEGIN OPENSSH PRIVATE KEY-----[\s\\]{1,4}b3BlbnNzaC1rZXktdjE(?:[A-Za-z0-9+/=\s\\]*?-----END OPENSSH PRIVATE KEY-----|[A-Za-z0-9+/=]{0,80}(?:[\s\\]{1,4}[A-Za-z0-9+/=]{16,80})*)",
        )
        .keywords(&["openssh private key-----"])
        .max_len(16384)
        .label("PRIVATE_KEY")
        .tp(&format!("cat ~/.ssh/id_ed25519\n{OPENSSH_KEY}\n"), OPENSSH_KEY)
        .tp(
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQFAKEAJSbkt2/IRajs1+HQZir09GP\nBMXit4DOZkv6FQbmx8HSdoz+JUfq1ALWhs3CNYju5EPalw7GRcny9ITep0/KVgr2BMXit4\n... truncated",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQFAKEAJSbkt2/IRajs1+HQZir09GP\nBMXit4DOZkv6FQbmx8HSdoz+JUfq1ALWhs3CNYju5EPalw7GRcny9ITep0/KVgr2BMXit4",
        )
        .fp("ssh-keygen writes -----BEGIN OPENSSH PRIVATE KEY----- at the top of the file")
        .fp("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAKEexampleBKTclu3AJSbkt2 user@host"),
        // PuTTY's own format (PuTTY manual appendix C, "PPK file format"):
        // a header naming the algorithm, the public half, then
        // `Private-Lines: N` and the private half in base64. The header alone
        // (detect-secrets flags it) is matched only when the private lines
        // follow, since on its own it names a format, not a key. Line breaks
        // may be escaped (`\r\n`) when the file sits in a JSON string.
        secret(
            "putty_private_key",
            "PuTTY private key",
            Severity::Critical,
            r"PuTTY-User-Key-File-[0-9]+:[ \t]*[A-Za-z0-9@.-]+[\s\S]*?Private-Lines:[ \t]*[0-9]{1,3}(?:\s|\\[rn]){1,4}[A-Za-z0-9+/=]{16,80}(?:(?:\s|\\[rn]){1,4}[A-Za-z0-9+/=]{16,80})*(?:(?:\s|\\[rn]){1,4}Private-MAC:[ \t]*[0-9a-fA-F]{40,64})?",
        )
        .keywords(&["putty-user-key-file-"])
        .max_len(16384)
        .label("PRIVATE_KEY")
        .tp(&format!("my key file:\n{PUTTY_KEY}\n"), PUTTY_KEY)
        .tp(
            r"PuTTY-User-Key-File-2: ssh-rsa\r\nEncryption: none\r\nComment: rsa-key-fake\r\nPublic-Lines: 1\r\nAAAAB3NzaC1yc2EAAAABJQAAAQEAfakeFAKEAHOVcjqx4\r\nPrivate-Lines: 1\r\nAAABAFAKEexampleBKTclu3AJSbkt2/IRajs1+HQZir09GP\r\n",
            r"PuTTY-User-Key-File-2: ssh-rsa\r\nEncryption: none\r\nComment: rsa-key-fake\r\nPublic-Lines: 1\r\nAAAAB3NzaC1yc2EAAAABJQAAAQEAfakeFAKEAHOVcjqx4\r\nPrivate-Lines: 1\r\nAAABAFAKEexampleBKTclu3AJSbkt2/IRajs1+HQZir09GP",
        )
        .fp("some text here\nPuTTY-User-Key-File-2\nsecret key")
        .fp("PuTTYgen saves PuTTY-User-Key-File-3: ssh-ed25519 files with a .ppk extension."),
        // RFC 4880 section 6.2 armor: headers, a blank line, base64, a CRC.
        // The header skip sits before the alternation on purpose: the
        // regex parser lifts a prefix shared by all alternatives out of them,
        // and a shared lazy prefix would then prefer the shorter, truncated
        // branch over the complete block.
        secret(
            "pgp_private_key",
            "PGP private key block",
            Severity::Critical,
            r"-----BEGIN PGP PRIVATE KEY BLOCK-----[\s\S]{0,400}?[\s\\](?:[A-Za-z0-9+/=]{40}[\s\S]*?-----END PGP PRIVATE KEY BLOCK-----|[A-Za-z0-9+/=]{40,80}(?:[\s\\]{1,4}[A-Za-z0-9+/=]{16,80})*)",
        )
        .keywords(&["pgp private key block-----"])
        .max_len(16384)
        .label("PRIVATE_KEY")
        .tp(&format!("gpg --export-secret-keys --armor gives\n{PGP_KEY}"), PGP_KEY)
        .tp(
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGFAKEexampleAFKPUZejoty38BGLQVafkpuz49CHMRWbglqv05+DINSXchm\n",
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGFAKEexampleAFKPUZejoty38BGLQVafkpuz49CHMRWbglqv05+DINSXchm",
        )
        .fp("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBGFAKEexampleAFKPUZejoty38BGLQVafkpuz49CHMRWbglqv05+DINSXchm\n-----END PGP PUBLIC KEY BLOCK-----")
        .fp("Never paste a -----BEGIN PGP PRIVATE KEY BLOCK----- into a chat."),
        // RFC 7519 compact serialisation: base64url JSON header and payload
        // (both start `eyJ`, i.e. `{"`) and a signature. The validator
        // checks the header decodes to JSON with `alg`. The signature is
        // optional: unsigned (`alg: none`) and cut-off tokens still carry
        // the claims (detect-secrets `JwtTokenDetector` flags them too).
        secret(
            "jwt",
            "JSON Web Token",
            Severity::High,
            r"\beyJ[0-9A-Za-z_-]{8,}\.eyJ[0-9A-Za-z_-]{8,}(?:\.[0-9A-Za-z_-]{16,})?",
        )
        .keywords(&["eyj"])
        .max_len(8192)
        .validator(Validator::Jwt)
        .label("JWT")
        .tp(
            "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        )
        .tp(
            r#"{"id_token": "eyJhbGciOiJSUzI1NiIsImtpZCI6ImZha2Uta2V5LTEifQ.eyJzdWIiOiJmYWtlLXVzZXIiLCJzY29wZSI6InJlYWQiLCJleHAiOjE5MDAwMDAwMDB9.FAKEsignature3AHOVcjqx29GNUbipw18FMTahov07E"}"#,
            "eyJhbGciOiJSUzI1NiIsImtpZCI6ImZha2Uta2V5LTEifQ.eyJzdWIiOiJmYWtlLXVzZXIiLCJzY29wZSI6InJlYWQiLCJleHAiOjE5MDAwMDAwMDB9.FAKEsignature3AHOVcjqx29GNUbipw18FMTahov07E",
        )
        .fp("eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJmYWtlLXVzZXIifQ.FAKEsignature3AHOVcjqx29GNU")
        .fp("eyJraW5kIjoibm90LWEtand0IiwiaWQiOjF9.eyJzdWIiOiJmYWtlIn0.FAKEsignature3AHOVcjqx29")
        .tp(
            "token eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlLXVzZXIiLCJzY29wZSI6InJlYWQifQ (the signature got cut)",
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlLXVzZXIiLCJzY29wZSI6InJlYWQifQ",
        )
        .fp("the header eyJhbGciOiJIUzI1NiJ9 alone is not a token")
        .fp("eyJAAAA.eyJBBB and eyJBB.eyJCC.eyJDDDD"),
        // A three-part token starting `ey` put in a JWT or token variable
        // (gitleaks `jwt`: `ey` + 17, `.ey` + 17, `.` + 10). The name and
        // the three parts say what it is, so the header is not decoded:
        // generated and redacted-then-edited tokens whose header no longer
        // parses are still tokens. The payload may carry `/` or `\` when
        // the token sits in an escaped string.
        secret(
            "jwt_assignment",
            "JSON Web Token in a variable",
            Severity::High,
            r#"(?i)(?:jwt|token|bearer)[A-Za-z0-9_.-]{0,32}?["'\]]?[ \t]*(?:=>|:=|[:=]|,)?[ \t]*(?:bearer[ \t]+)?["'`]?(?P<value>ey[A-Za-z0-9_-]{17,}\.ey[A-Za-z0-9_/\\-]{17,}\.[A-Za-z0-9_/\\-]{10,}={0,2})"#,
        )
        .keywords(&["jwt", "token", "bearer"])
        .max_len(8192)
        .validator(entropy(4.0))
        .label("JWT")
        .tp(
            r#"const jwt = "eyFAKEexampleBKTclu3AJSbkt2.eyTestOnlyIRajs1HQZir09GPYhqz8.FOXgpy7ENWfox6DMVenw5CLUdmv4";"#,
            "eyFAKEexampleBKTclu3AJSbkt2.eyTestOnlyIRajs1HQZir09GPYhqz8.FOXgpy7ENWfox6DMVenw5CLUdmv4",
        )
        .tp(
            "ID_TOKEN=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmYWtlLXVzZXIifQ.FAKEsignature3AHOVcjqx29GNU",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmYWtlLXVzZXIifQ.FAKEsignature3AHOVcjqx29GNU",
        )
        .fp("token = eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0")
        .fp("jwt: eyAAAAAAAAAAAAAAAAAAAAAAAA.eyAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAA"),
    ]
}
