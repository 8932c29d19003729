//! Passwords and tokens found by where they sit rather than by a vendor's
//! shape: credentials in URLs and connection strings, `key = value`
//! assignments in code, config and shell, and `Authorization` headers.
//!
//! Their values are free-form, so every rule here drops placeholders,
//! template and environment references, and code expressions through
//! [`PLACEHOLDERS`]; the assignment rules also require a digit or symbol in
//! the value and a minimum entropy.

use super::{entropy, secret};
use crate::dlp::RuleSpec;
use crate::schema::Severity;

/// Whole values that sit where a secret goes but are not one: words
/// written instead of a secret, masked values, template and environment
/// references. Every rule here drops them.
pub(super) const PLACEHOLDERS: &[&str] = &[
    // Words written instead of a secret, with or without a possessive.
    r"(?i)(?:(?:my|your|the|some|new|old|db|user|admin|root|app)[_-]?)?(?:pass(?:word|wd|phrase)?|pwd|pw|secret|token|api[_-]?key|key|credentials?)[0-9]{0,4}(?:[_-]?(?:here|goes[_-]?here|placeholder))?",
    r"(?i)(?:changeme|change[_-]?me|change[_-]?it|placeholder|redacted|removed|hidden|dummy|example|sample|test|testing|default|none|null|nil|undefined|empty|todo|tbd|foo|bar|foobar|admin|root|guest|postgres|mysql|letmein|qwerty|12345678|123456789|1234567890)[0-9]{0,4}!?",
    r"(?i)(?:.*[_-])?(?:your|my|the|insert|enter|put|replace|add|paste)[_-].*",
    r"(?i).*[_-](?:here|placeholder|goes[_-]?here|example|redacted)",
    r".*\.\.\..*",
    // Masked values, also masked in part (`xoxp-5723…-####`).
    r"[*xX.#_-]+",
    r".*(?:\*{4,}|#{4,}|[xX]{8,}).*",
    // Template and environment references.
    r"\$\{[^}]*\}",
    r"\$\(.*\)",
    r"\$[A-Za-z_][A-Za-z0-9_]*",
    r"%[A-Za-z_][A-Za-z0-9_]*%",
    r"\{\{.*\}\}",
    r"\{[A-Za-z_][A-Za-z0-9_.]*\}",
    r"<[^>]*>",
    r"%\([A-Za-z_][A-Za-z0-9_]*\)s",
    r"\[[^\]]*\]",
    r"__[A-Za-z0-9_]+__",
];

/// Whole values that, after `password =` or `secret:`, are code or another
/// kind of setting rather than a literal. Only the assignment rules drop
/// them: in a URL's userinfo or a connection string's `Password=` the value
/// can only be a literal, so `abc.def` there is a password.
const EXPRESSIONS: &[&str] = &[
    // Dotted names of identifier-like parts (`settings.API_KEY`,
    // `process.env.TOKEN`, `this.apiKey`, `Config.HTTPClient`), also with
    // TypeScript's or Kotlin's non-null assertion (`process.env.KEY!`,
    // `config.token!!`): each part
    // is snake or camel case, Pascal case, or upper snake case, so a random
    // value with a dot (`sk7.YO5aK2mQ9`, `l.R7U64FLlNw6`) is not one.
    r"(?:[a-z_$][a-z0-9_$]*(?:[A-Z][a-z]+[0-9]*)*|[A-Z]*(?:[A-Z][a-z]+[0-9]*)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)(?:\.(?:[a-z_$][a-z0-9_$]*(?:[A-Z][a-z]+[0-9]*)*|[A-Z]*(?:[A-Z][a-z]+[0-9]*)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*))+!{0,2}",
    // Environment variable names, snake_case and camelCase identifiers.
    r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+",
    r"[a-z]+(?:_[a-z]+)+",
    r"[a-z]+(?:[A-Z][a-z]+)+",
    // Other things that follow `password:` or `secret:` in prose and
    // config: paths (`pwd: /home/me`), URLs (`[credentials]: https://…`),
    // host names and dates. A URL with a password in it is
    // `url_credentials`' to find.
    r"(?:~|\.{1,2})?/[A-Za-z0-9._/-]*",
    r"[A-Za-z]:\\.*",
    r"[A-Za-z][A-Za-z0-9+.-]*://.*",
    r"[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/[a-z0-9._/-]*)?",
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9:.]+Z?)?",
    // Names of a secret kept elsewhere: AWS ARNs (`arn:aws:secretsmanager:…`,
    // AWS "Amazon Resource Names" reference) and slash-separated resource
    // names of lower-case words (`projects/p/secrets/db/versions/2`,
    // `prod/db/credentials`). Mixed-case segments stay values, so a base64
    // key with a `/` in it is still reported.
    r"arn:[a-z0-9-]+:[a-z0-9-]+:.*",
    r"[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*(?:/[a-z0-9]+(?:[-_.][a-z0-9]+)*)+/?",
    // The same with a store's scheme in front or the field after `#`
    // (`vault:secret/data/app/db#password`, `kv/data/team#api_key`,
    // `ssm:/app/db/password`): every part lower case, as a random password
    // never is.
    r"(?:[a-z][a-z0-9+.-]*:/{0,2})?[a-z0-9_.-]+(?:/[a-z0-9_.-]+)+(?:#[A-Za-z0-9_.-]+)?",
    // File names with a document or data extension
    // (`Passw0rd-Requirements.md`, `secret-rotation.yaml`).
    r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.(?:md|txt|rst|adoc|html?|pdf|docx?|json|ya?ml|toml|xml|csv|log|ini|cfg|conf|env|sh|py|js|ts|rb|go|java)",
    // Content digests labelled with their algorithm (`sha256:9f86…`, OCI
    // and Docker image digests; `sha512-…`, Subresource Integrity): a
    // hash of public content, named as one.
    r"(?:sha(?:1|224|256|384|512)|sha3-(?:224|256|384|512)|md5|blake2[bs]|blake3)[:-](?:[a-f0-9]{32,128}|[A-Za-z0-9+/]{40,88}={0,2})",
    // Camel-case identifiers of three or more words, each with a vowel
    // and at most one digit after it (`accountPassword1Input`,
    // `loginPassword2Field`): form field and element names. Random
    // mixed-case passwords take this shape about twice in 100,000 draws.
    // Plain camel case is dropped below.
    r"[a-z]*[aeiou][a-z]+[0-9]?(?:[A-Z][a-z]*[aeiou][a-z]*[0-9]?){2,}",
    // CSS selectors and element ids (`#password`, `.password-field`,
    // `input#password.form-control`): lower-case or camel-case words after
    // `#` or `.`, where a password would mix in digits and symbols.
    r"[a-z]*(?:[#.][a-z]+(?:[A-Z][a-z]+)*[0-9]?(?:[-_][a-z]+(?:[A-Z][a-z]+)*[0-9]?)*)+",
    // Ruby instance variables (`@password`) and YAML tags (`!vault |`,
    // `!Ref DbPassword`): code and config, not a literal.
    r"@{1,2}[A-Za-z_][A-Za-z0-9_]*",
    r"!{1,2}[A-Za-z][A-Za-z0-9_:.]*",
    // Rust and C++ paths (`password: windows_sys::core::PWSTR`,
    // `token: super::super::Foundation::HANDLE`, `input.parse::<T>()`,
    // `Token::TupleStructEnd` read as `Token:` then `:TupleStructEnd`):
    // type annotations, turbofish calls and enum variants, which the
    // value's character class cuts at `<` or `(`; and Rust raw-pointer
    // types (`password: *const u16`).
    r"(?:[A-Za-z_][A-Za-z0-9_.]*::)+[A-Za-z0-9_]*",
    r"::?[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*(?:::)?",
    r"\*(?:const|mut)",
    // Colon paths of words (`SecretString:password` in CloudFormation's
    // `{{resolve:secretsmanager:…}}`, `vault:db:password`).
    r"(?:[A-Za-z][a-z]+)+(?::(?:[A-Za-z][a-z]+)+)+",
];

/// What the assignment rules drop: placeholders and expressions.
pub(super) fn not_literals() -> Vec<&'static str> {
    PLACEHOLDERS.iter().chain(EXPRESSIONS).copied().collect()
}

/// The pattern of a `name = value` assignment: `name` (a regex), then what
/// may follow it in env files, YAML (block scalars too), JSON (escaped
/// inside a string too), XML elements (the value on the tag's line, so that
/// a `<your-password>` placeholder does not take the next line), code (typed
/// declarations, `:=`, Makefile's `::=` `?=` `+=`, PHP's `.=`,
/// Objective-C's `@"…"`), Kubernetes `env` entries (`- name: API_KEY`,
/// then `value: …` on the next line) and `getenv("NAME", "default")` calls (quoted name,
/// comma, quoted value, so that `encode(data, "secret", algorithm=…)` is not
/// one); then the value: up to `max` bytes on either side of a character
/// that is not a letter. The value's bounds are lazy so that an escaped
/// closing quote (`\"`) ends it. A name right after a word and a `:` is
/// part of an ARN or URN (`arn:aws:secretsmanager:…:secret:prod/db`), and
/// after `::` of a type path (`"AWS::ApiGateway::ApiKey": "48205d4f"`), not
/// a key; after a lone `:` it is a Ruby symbol (`:password => "…"`). The
/// contexts are gitleaks'
/// `GenerateSampleSecrets` templates and detect-secrets' `keyword_test.py`.
pub(super) fn assignment(name: &str, max: usize) -> String {
    let v = r#"[^\s"'`,;&<>(){}\[\]]"#;
    let non_letter = r#"[^\s"'`,;&<>(){}\[\]a-zA-Z]"#;
    format!(
        r#"(?i)(?:^|[^:]|[^A-Za-z0-9:]:)(?:<[A-Za-z0-9_.:-]{{0,40}}?{name}>[ \t]*|{name}(?:[_-]?[0-9]{{1,3}})?(?:(?:\[\])?\\?["']?\]?(?:[ \t]*:?[ \t]*\bstr(?:ing)?\b)?[ \t]*(?:=>|:{{1,3}}=|[?+.]?=|:|\r?\n[ \t]*value:)[ \t]*(?:[|>][-+]?[ \t]*\r?\n[ \t]*)?|\\?["'][ \t]*,[ \t]*\\?["']))@?\\?["'`]?(?P<value>{v}{{0,{max}}}?{non_letter}{v}{{0,{max}}}?)(?:\\[nrt"'`]|["'`\s,;&)}}\]<>]|$)"#
    )
}

/// This group's rules.
pub(super) fn rules() -> Vec<RuleSpec> {
    vec![
        // RFC 3986 userinfo (and Cloudinary's `cloudinary://key:secret@cloud`).
        // Database schemes have their own rule below.
        // A password of one or two characters is a documentation example
        // (`https://a:b@host`), and since a value found once is redacted
        // wherever it recurs, reporting it would mark every `b` in the text.
        secret(
            "url_credentials",
            "Password in a URL",
            Severity::High,
            r#"(?i)\b(?:git\+)?(?:https?|ftps?|sftp|ssh|git|svn|smb|ldaps?|wss?|imaps?|smtps?|pop3s?|socks[45]h?|rtsp|sip|nntp|telnet|cloudinary)://[^\s:@/?#"'<>]{0,128}:(?P<value>[^\s:@/"'<>]{3,128})@[A-Za-z0-9\[]"#,
        )
        .keywords(&["://"])
        .max_len(300)
        .allow_patterns(PLACEHOLDERS)
        .label("URL_PASSWORD")
        .tp(
            "git clone https://deploy:Gh7-FAKE-pw-9x2@git.example.com/team/repo.git",
            "Gh7-FAKE-pw-9x2",
        )
        .tp(
            "export HTTPS_PROXY=http://svc-proxy:Q3r%21FAKEz9@proxy.corp.example:3128",
            "Q3r%21FAKEz9",
        )
        // Pasted passwords are often not percent-encoded: `#` and `?` are
        // part of the password when an `@` follows before any `/`.
        .tp(
            "ftp://backup:Fk#7?FAKEq@files.example.net/nightly",
            "Fk#7?FAKEq",
        )
        // Cloudinary's documented `CLOUDINARY_URL`: key, secret, cloud name.
        .tp(
            "CLOUDINARY_URL=cloudinary://874837483274837:a676b67565c6767a6767d6767f676fe1@demo-cloud",
            "a676b67565c6767a6767d6767f676fe1",
        )
        .fp("see https://example.com:8443/docs?from=me@home")
        .fp("curl https://user:password@example.com/api")
        .fp("git clone https://oauth2:${CI_JOB_TOKEN}@gitlab.example.com/group/project.git")
        .fp("open http://localhost:8080/admin and ssh://git@github.com:22/org/repo")
        .fp("const myURL = new URL('https://a:b@example.org/?abc#foo');")
        .fp("DATABASE_URL=postgres://app:S3cr3t-FAKE@db.internal/app"),
        // URI forms of the common databases and brokers, including
        // SQLAlchemy's `dialect+driver://` and the Snowflake, Trino and
        // Presto SQLAlchemy dialects, MQTT and NATS brokers.
        secret(
            "database_connection_string",
            "Password in a database connection URL",
            Severity::High,
            r#"(?i)\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|cockroachdb|clickhouse|couchdb|neo4j(?:\+s)?|oracle|snowflake|mqtts?|nats|cassandra|db2|trino|presto|influxdb|memcached?)(?:\+[a-z0-9]+)?://[^\s:@/?#"'<>]{0,128}:(?P<value>[^\s@/"'<>]{3,128})@[A-Za-z0-9\[]"#,
        )
        .keywords(&[
            "postgres",
            "mysql",
            "mariadb",
            "mongodb",
            "redis",
            "amqp",
            "mssql",
            "sqlserver",
            "cockroachdb",
            "clickhouse",
            "couchdb",
            "neo4j",
            "oracle",
            "snowflake",
            "mqtt",
            "nats",
            "cassandra",
            "db2",
            "trino",
            "presto",
            "influxdb",
            "memcache",
        ])
        .max_len(300)
        .allow_patterns(PLACEHOLDERS)
        .confidence(0.85)
        .label("DB_PASSWORD")
        .tp(
            "DATABASE_URL=postgres://app_user:s3cr3t-FAKE-Pw@db.internal:5432/app",
            "s3cr3t-FAKE-Pw",
        )
        .tp(
            "cannot reach postgres://app_user:Xk9#mP2vL8qR@db-prod.internal:5432/billing",
            "Xk9#mP2vL8qR",
        )
        .tp(
            r#"client = MongoClient("mongodb+srv://admin:Tx9kFAKEq2Lm@cluster0.example.mongodb.net/test")"#,
            "Tx9kFAKEq2Lm",
        )
        .tp(
            "engine = create_engine('postgresql+psycopg2://report:Vb8%23FAKEm4Tz@10.0.0.5/analytics')",
            "Vb8%23FAKEm4Tz",
        )
        // A dot in a userinfo password is part of it, not code.
        .tp("DATABASE_URL=mysql://shop:Rq7.fake.Pw2@db.internal/shop", "Rq7.fake.Pw2")
        .tp(
            "SNOWFLAKE_URL=snowflake://etl_user:Kq7%FAKEz2Lp@acme-xy12345/analytics/public",
            "Kq7%FAKEz2Lp",
        )
        .tp("mqtt://sensor:Rt5-FAKE-q9Zw@broker.local:1883", "Rt5-FAKE-q9Zw")
        .fp("postgres://user:password@localhost:5432/db")
        .fp("nats://nats:${NATS_PASSWORD}@nats.svc:4222")
        .fp("mysql://root:${MYSQL_ROOT_PASSWORD}@db/app")
        .fp("amqp://guest:guest@localhost:5672/ and redis://localhost:6379/0"),
        // ADO.NET, ODBC, OLE DB and JDBC key-value strings (Microsoft
        // "Connection string syntax", ODBC `SQLDriverConnect` keywords; JDBC
        // driver docs): a user, server, database, driver or DSN key before
        // the password makes it a connection string rather than any
        // `password=`. ODBC quotes a value with `;` in it in braces.
        secret(
            "connection_string_password",
            "Password in an ADO.NET or JDBC connection string",
            Severity::High,
            r#"(?i)\b(?:user id|userid|uid|user|username|server|data source|host|database|initial catalog|driver|dsn|provider|address|addr)[ \t]*=[ \t]*[^;&"'\r\n]{1,128}[;&](?:[^;&"'\r\n]{0,128}[;&]){0,6}?[ \t]*(?:password|pwd)[ \t]*=[ \t]*(?P<value>\{[^}\r\n]{1,128}\}|[^;&"'\s]{1,128})"#,
        )
        .keywords(&["password", "pwd"])
        .max_len(1024)
        .allow_patterns(PLACEHOLDERS)
        .label("DB_PASSWORD")
        .tp(
            "Server=tcp:fake-sql.database.windows.net,1433;Initial Catalog=app;User ID=appadmin;Password=Q7v!FAKE-x2Lp;Encrypt=True;",
            "Q7v!FAKE-x2Lp",
        )
        .tp(
            "jdbc:mysql://db.internal:3306/shop?user=shop&password=Vb8#FAKEm4Tz",
            "Vb8#FAKEm4Tz",
        )
        .tp(
            "Driver={ODBC Driver 18 for SQL Server};Server=tcp:db.example.net,1433;Uid=app;Pwd={Q7v;FAKE-x2Lp};Encrypt=yes;",
            "{Q7v;FAKE-x2Lp}",
        )
        .tp("Server=db;Database=app;Password=Rz4%FAKEpw8s;User Id=sa;", "Rz4%FAKEpw8s")
        .tp("DSN=prod;PWD=Vb8#FAKEm4Tz;", "Vb8#FAKEm4Tz")
        .fp("Server=myServerAddress;Database=myDataBase;User Id=myUsername;Password=myPassword;")
        .fp("Server=db;Database=app;Password=${SA_PASSWORD};")
        .fp("Data Source=db;User ID=sa;Password=<YourStrong!Passw0rd>;")
        .fp("Data Source=db;User ID=sa;Password=;"),
        // `password = …` in env files, YAML, JSON, TOML, code and shell.
        // Placeholders fail the allowlist, a value of letters only fails the
        // pattern ("Password: Requirements"), and `changeme` or `********`
        // fail the entropy floor.
        secret(
            "password_assignment",
            "Password assignment",
            Severity::High,
            &assignment(r"(?:password|passwd|passphrase|\bpwd)", 127),
        )
        .keywords(&["password", "passwd", "passphrase", "pwd"])
        .max_len(300)
        .validator(entropy(2.5))
        .allow_patterns(&not_literals())
        .confidence(0.6)
        .label("PASSWORD")
        .tp("DB_PASSWORD=Xk9#mP2vL!qz", "Xk9#mP2vL!qz")
        .tp(
            r#"{"username": "svc-report", "password": "t7Qe!FAKE-92xv"}"#,
            "t7Qe!FAKE-92xv",
        )
        .tp("smtp:\n  host: mail.example.com\n  password: Rz4%FAKEpw8s\n", "Rz4%FAKEpw8s")
        .tp(
            "spring.datasource.password=sk7.YO5aFAKE2mQ9",
            "sk7.YO5aFAKE2mQ9",
        )
        // Maven's settings.xml, and JSON escaped inside a string.
        .tp(
            "<server>\n  <id>nexus</id>\n  <password>Xk9#FAKEmP2vL</password>\n</server>",
            "Xk9#FAKEmP2vL",
        )
        .tp(r#"{\"user\": \"svc\", \"password\": \"t7Qe!FAKE-92xv\"}"#, "t7Qe!FAKE-92xv")
        .fp(r#"<input type="password" name="password"><label for=password>Password</label>"#)
        .fp("REDIS_PASSWORD=<your-password>\nCACHE_TTL_SECONDS=300\n")
        .fp("password=changeme")
        .tp("SMTP_PASSWORD=q.R7U64FAKELw6", "q.R7U64FAKELw6")
        .fp("db_password = config.database.password")
        .fp("password = Settings.HTTPClient.defaultPassword")
        .fp("password: <your-password>")
        .fp("export PASSWORD=${PASSWORD}")
        .fp("password: ********")
        .fp("Password: Requirements for new accounts")
        .fp(r#"password = os.environ["DB_PASSWORD"]"#)
        .fp(r#"password => "${ES_PASSWORD}""#)
        .fp("password = get_password()")
        .fp("pwd: /home/user/projects")
        .fp("password: 2024-01-15")
        // CSS selectors, element ids, YAML tags, instance variables and
        // the names of secrets stored elsewhere.
        .fp("password_field = '#password'")
        .fp(r#"self.password_css = ".password-field""#)
        .fp("password_locator = 'input#password.form-control'")
        .fp("password: !vault |")
        .fp("password = @password")
        .fp("password: !Sub '{{resolve:secretsmanager:MyRdsSecret:SecretString:password}}'")
        .tp(r#"{ :password => "Xk9#FAKEmP2vL" }"#, "Xk9#FAKEmP2vL")
        .fp("password: arn:aws:ssm:us-east-1:123456789012:parameter/prod/db-password")
        .fp("password: vault:secret/data/billing/db#password")
        .fp(r#"password: "@@DB_PASSWORD@@""#)
        .fp("password: Passw0rd-Requirements.md")
        .fp(r#"pwd: "loginPassword2Input","#)
        .fp("pub unsafe fn logon(password: windows_sys::core::PWSTR) -> BOOL;")
        .fp("pub fn LogonUserW(password: *const u16) -> BOOL;")
        .tp("password: Xk9#mP2v/Lq7z", "Xk9#mP2v/Lq7z"),
        secret(
            "secret_assignment",
            "Secret assignment",
            Severity::High,
            &assignment(
                r"(?:secret(?:[_-]?(?:key|token|access[_-]?key|str(?:ing)?|value))?|\bcred(?:ential)?s)",
                127,
            ),
        )
        .keywords(&["secret", "creds", "credentials"])
        .max_len(300)
        .validator(entropy(3.0))
        .allow_patterns(&not_literals())
        .confidence(0.6)
        .label("SECRET")
        .tp(r#"SECRET_KEY = "k3@FAKE9x!q2%t7z#Lw0vB""#, "k3@FAKE9x!q2%t7z#Lw0vB")
        .tp("client_secret: 8fQ2-FAKE-z7Lp-x9Vq", "8fQ2-FAKE-z7Lp-x9Vq")
        // XML elements and YAML block scalars (gitleaks sample contexts).
        .tp(
            "<clientSecret>Zf3D0FAKE3EIMbgJpUNnkRtO</clientSecret>",
            "Zf3D0FAKE3EIMbgJpUNnkRtO",
        )
        .tp("client_secret: |\n  8fQ2-FAKE-z7Lp-x9Vq\n", "8fQ2-FAKE-z7Lp-x9Vq")
        .tp(
            r#""credentials" : "0afaFAKE3ccfd9d7f5767067bc48b30f""#,
            "0afaFAKE3ccfd9d7f5767067bc48b30f",
        )
        .fp("client_secret: your-client-secret")
        .fp(r#"withCredentials([usernamePassword(credentialsId: '29f63271-dc2f-4734-8221-5b31b5169bac')])"#)
        .fp("[set up the credentials]: https://github.com/nodejs/node-core-utils#setting-up-credentials")
        .fp(r#"encoded = jwt.encode({"some": "payload"}, "secret", algorithm="HS256")"#)
        .fp("secret:\n  secretName: app-tls")
        .fp(r#"SECRET_KEY = os.getenv("SECRET_KEY")"#)
        .fp("secret: ${{ secrets.DEPLOY_KEY }}")
        .fp("The secret: it is all in the timing.")
        .fp("Use secret: kubernetes.io/dockerconfigjson for registry credentials")
        .fp("secret_arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf'")
        .fp("secret: projects/my-proj/secrets/db-pass/versions/latest")
        .fp("secret: kv/data/teams/platform#api_key")
        .tp(
            "aws_secret = wJalrXUtnFAKE/K7MDENG/bPxRfiCYEXAMPLE",
            "wJalrXUtnFAKE/K7MDENG/bPxRfiCYEXAMPLE",
        ),
        secret(
            "api_key_assignment",
            "API key assignment",
            Severity::High,
            &assignment(r"(?:api|access)[_-]?key", 255),
        )
        .keywords(&[
            "api_key",
            "api-key",
            "apikey",
            "access_key",
            "access-key",
            "accesskey",
        ])
        .max_len(560)
        .validator(entropy(3.2))
        .allow_patterns(&not_literals())
        .confidence(0.6)
        .label("API_KEY")
        .tp(r#"api_key = "a8F3kQ9zL2xV7mN4pR6t""#, "a8F3kQ9zL2xV7mN4pR6t")
        .tp(
            "curl -H 'x-api-key: 3fa4e5d6-FAKE-4c1b-9a7e-8d2f0b1c6e5a' https://api.example.com",
            "3fa4e5d6-FAKE-4c1b-9a7e-8d2f0b1c6e5a",
        )
        // Makefile and Objective-C assignments, and a getenv default
        // (gitleaks and detect-secrets sample contexts).
        .tp(r#"API_KEY ?= "a8F3FAKE9zL2xV7mN4pR6t""#, "a8F3FAKE9zL2xV7mN4pR6t")
        .tp(r#"apiKey = @"a8F3FAKE9zL2xV7mN4pR6t";"#, "a8F3FAKE9zL2xV7mN4pR6t")
        .tp(
            r#"key = os.getenv("WEATHER_API_KEY", "3fa4e5d6FAKE4c1b9a7e8d2f")"#,
            "3fa4e5d6FAKE4c1b9a7e8d2f",
        )
        .fp("api_key: your-api-key-here")
        .fp("API_KEY=<API_KEY>")
        .fp("api_key = settings.API_KEY")
        .fp("apiKey: 12345")
        // Shape checks shared by every secret rule (`validators::secret_value`).
        .fp(r#"api_key = "abcdefghijklmnopqrstuvwxyz123456""#)
        .fp(r#"API_KEY="0123456789abcdef0123456789abcdef""#)
        .fp("api_key: sk-********************")
        .fp("ACCESS_KEY=%ACCESS_KEY%")
        .fp(r#""AWS::ApiGateway::ApiKey": "48205d4ffd7feba3","#)
        .fp("apiKey: process.env.NEXT_PUBLIC_FIREBASE_API_KEY!,"),
        secret(
            "token_assignment",
            "Token assignment",
            Severity::High,
            &assignment("token", 255),
        )
        .keywords(&["token"])
        .max_len(560)
        .validator(entropy(3.3))
        .allow_patterns(&not_literals())
        .confidence(0.6)
        .label("TOKEN")
        .tp(
            "access_token=ya29.FAKE-a0AfH6SMBx3kq9Lz&expires_in=3599",
            "ya29.FAKE-a0AfH6SMBx3kq9Lz",
        )
        .tp(
            r#"{"refresh_token": "1//0gFAKEexample-Lz9x2Qv7", "scope": "openid"}"#,
            "1//0gFAKEexample-Lz9x2Qv7",
        )
        // JSON inside a string: the escaped quote ends the value.
        .tp(
            r#"body = "{\"access_token\": \"Zf3D0FAKE3EIMbgJpUNnkRtO\"}""#,
            "Zf3D0FAKE3EIMbgJpUNnkRtO",
        )
        .tp(
            r#"var genericToken string = "Zf3D0FAKE3EIMbgJpUNnkRtO""#,
            "Zf3D0FAKE3EIMbgJpUNnkRtO",
        )
        .tp("GITLAB_TOKEN_2 := glFAKE9zL2xV7mN4pR6tQ", "glFAKE9zL2xV7mN4pR6tQ")
        .fp(r#"{"max_tokens": 1024, "temperature": 0.2}"#)
        .fp(r#""token": "xoxp-572370529330-573807301142-572331691188-####################""#)
        .fp("List<Token> tokens = new ArrayList<>();")
        .fp("total_tokens += len(chunk)")
        .fp("token: ${{ secrets.GITHUB_TOKEN }}")
        .fp(r#"token: "sha256:5d41402abc4b2a76b9719d911017c592aa8b3c4f2e6d1b0a9c8e7f6d5c4b3a29""#)
        .fp(r#"token = request.headers.get("X-Token")"#)
        .fp("token: 42")
        .fp("    pub token: super::super::Foundation::HANDLE,")
        .fp("let token = input.parse::<Token![fn]>()?;")
        .fp("Token::TupleStructEnd,")
        .fp(r#"auth_token = "aaaaaaaaaaaaaaaaaaaaaaaa""#)
        .fp(r#"token = "ab12ab12ab12ab12ab12ab12""#)
        .fp("TOKEN={{ vault_token }}"),
        // RFC 6750 bearer tokens in headers and prose. The value is
        // unbounded in the pattern (a counted bound costs automaton states);
        // `max_len` bounds it through the prefilter window.
        secret(
            "bearer_token",
            "Bearer token",
            Severity::High,
            r"(?i)\bbearer[ \t]+(?P<value>[A-Za-z0-9._~+/-]{20,}=*)",
        )
        .keywords(&["bearer"])
        .max_len(4200)
        .validator(entropy(3.5))
        .allow_patterns(&not_literals())
        .confidence(0.7)
        .label("BEARER_TOKEN")
        .tp(
            r#"curl -H "Authorization: Bearer 4f9aFAKE7c2e1b8d0a3f6e9c2b5a8d1e" https://api.example.com/v1/me"#,
            "4f9aFAKE7c2e1b8d0a3f6e9c2b5a8d1e",
        )
        .tp(
            "Authorization: Bearer ya29.a0FAKEexample-Zx81qLr7TvB2",
            "ya29.a0FAKEexample-Zx81qLr7TvB2",
        )
        .fp(r#"-H "Authorization: Bearer $KEEPTRUSTS_API_TOKEN""#)
        .fp("Bearer tokens are sent in the Authorization header.")
        .fp("Authorization: Bearer YOUR_ACCESS_TOKEN_HERE"),
        // RFC 7617: base64 of `user:password`.
        secret(
            "basic_auth_header",
            "HTTP Basic credentials",
            Severity::High,
            r#"(?i)\bauthorization["']?[ \t]*[:=][ \t]*["']?basic[ \t]+(?P<value>[A-Za-z0-9+/]{8,}={0,2})"#,
        )
        .keywords(&["authorization"])
        .max_len(1100)
        .validator(entropy(3.0))
        .allow_patterns(PLACEHOLDERS)
        .label("BASIC_AUTH")
        .tp(
            "Authorization: Basic ZmFrZXVzZXI6ZmFrZS1wYXNzLTlYcQ==",
            "ZmFrZXVzZXI6ZmFrZS1wYXNzLTlYcQ==",
        )
        .tp(
            r#"headers = {"Authorization": "Basic c3ZjLWJhY2t1cDpOMHQtQS1SZWFsLVB3IQ=="}"#,
            "c3ZjLWJhY2t1cDpOMHQtQS1SZWFsLVB3IQ==",
        )
        .fp("Authorization: Basic <base64(user:password)>")
        .fp("Authorization: Basic base64(user:pass)")
        .fp("Authorization: Basic XXXXXXXXXXXXXXXX"),
    ]
}
