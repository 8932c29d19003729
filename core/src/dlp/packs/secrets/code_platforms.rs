//! Code hosting and package registries: GitHub, GitLab, npm and PyPI.

use super::{secret, token_entropy};
use crate::dlp::RuleSpec;
use crate::schema::Severity;

/// This group's rules.
pub(super) fn rules() -> Vec<RuleSpec> {
    vec![
        // GitHub token prefixes and lengths: GitHub blog "Behind GitHub's new
        // authentication token formats" (2021) and gitleaks `github-*` rules.
        secret(
            "github_pat",
            "GitHub personal access token (classic)",
            Severity::Critical,
            r"\bghp_[0-9A-Za-z]{36}\b",
        )
        .keywords(&["ghp_"])
        .max_len(48)
        .validator(token_entropy(3.5))
        .label("GITHUB_TOKEN")
        .tp(
            "git remote set-url origin https://ghp_FAKEexample3AHOVcjqx4BIPWdkry5CJQXel@github.com/org/repo.git",
            "ghp_FAKEexample3AHOVcjqx4BIPWdkry5CJQXel",
        )
        .tp(
            "GITHUB_TOKEN=ghp_TestOnly5GRcny9KVgr2DOZkv6HSdozALWhs",
            "ghp_TestOnly5GRcny9KVgr2DOZkv6HSdozALWhs",
        )
        .fp("GITHUB_TOKEN=ghp_FAKEexample3AHOVcjqx4BIPWdkry5CJQXe")
        .fp("GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
        .fp("Classic tokens start with ghp_ followed by 36 characters."),
        // github_pat_, 22 characters, `_`, 59 characters (gitleaks
        // `github-fine-grained-pat` allows 82 word characters).
        secret(
            "github_fine_grained_pat",
            "GitHub fine-grained personal access token",
            Severity::Critical,
            r"\bgithub_pat_[0-9A-Za-z]{22}_[0-9A-Za-z]{59}\b",
        )
        .keywords(&["github_pat_"])
        .max_len(100)
        .validator(token_entropy(3.5))
        .label("GITHUB_TOKEN")
        .tp(
            "token: github_pat_11FAKEEXAMPLE3AHOVcjqx_fakeFineGrained3EPalw7ITep0BMXit4FQbmx8JUfq1CNYju5GRcny9KVg",
            "github_pat_11FAKEEXAMPLE3AHOVcjqx_fakeFineGrained3EPalw7ITep0BMXit4FQbmx8JUfq1CNYju5GRcny9KVg",
        )
        .tp(
            r#"headers = {"Authorization": "token github_pat_11TESTONLY3GTgt6JWjw9M_exampleOnlyToken3Kbs9QhyFWn4LctARizGXo5MduBSj0HYp6NevCTk1IZ"}"#,
            "github_pat_11TESTONLY3GTgt6JWjw9M_exampleOnlyToken3Kbs9QhyFWn4LctARizGXo5MduBSj0HYp6NevCTk1IZ",
        )
        .fp("token: github_pat_11FAKEEXAMPLE3AHOVcjqx_tooShort123")
        .fp("Fine-grained tokens look like github_pat_<22 chars>_<59 chars>."),
        secret(
            "github_oauth_token",
            "GitHub OAuth access token",
            Severity::Critical,
            r"\bgho_[0-9A-Za-z]{36}\b",
        )
        .keywords(&["gho_"])
        .max_len(48)
        .validator(token_entropy(3.5))
        .label("GITHUB_TOKEN")
        .tp(
            "oauth_token: gho_FAKEoauth3GTgt6JWjw9MZmzCPcp2FSfs5IV",
            "gho_FAKEoauth3GTgt6JWjw9MZmzCPcp2FSfs5IV",
        )
        .tp(
            "~/.config/gh/hosts.yml has gho_ExampleOauth1IZq7OfwDUl2Jar8PgxEVm3K in it",
            "gho_ExampleOauth1IZq7OfwDUl2Jar8PgxEVm3K",
        )
        .fp("oauth_token: gho_FAKEoauth3GTgt6JWjw9MZmzCPcp2FSfs5IVextra")
        .fp("oauth_token: gho_000000000000000000000000000000000000"),
        // ghu_ (user-to-server) and ghs_ (server-to-server, installation).
        secret(
            "github_app_token",
            "GitHub App token",
            Severity::Critical,
            r"\bgh[us]_[0-9A-Za-z]{36}\b",
        )
        .keywords(&["ghu_", "ghs_"])
        .max_len(48)
        .validator(token_entropy(3.5))
        .label("GITHUB_TOKEN")
        .tp(
            "GH_TOKEN=ghu_FAKEuser2server38DINSXchmrw16BGLQVaf",
            "ghu_FAKEuser2server38DINSXchmrw16BGLQVaf",
        )
        .tp(
            r#"{"token": "ghs_FAKEserver2server3MfyHatCVo7Qj2LexGZ", "expires_at": "2030-01-01T00:00:00Z"}"#,
            "ghs_FAKEserver2server3MfyHatCVo7Qj2LexGZ",
        )
        .fp("GH_TOKEN=ghs_FAKEserver2server3MfyHatCVo7Qj2Lex")
        .fp("installation tokens (ghs_...) expire after an hour"),
        secret(
            "github_refresh_token",
            "GitHub refresh token",
            Severity::Critical,
            r"\bghr_[0-9A-Za-z]{36,76}\b",
        )
        .keywords(&["ghr_"])
        .max_len(96)
        .validator(token_entropy(3.5))
        .label("GITHUB_TOKEN")
        .tp(
            "refresh_token=ghr_FAKErefresh3QnAXuHe1Ol8VsFczMj6TqDax&grant_type=refresh_token",
            "ghr_FAKErefresh3QnAXuHe1Ol8VsFczMj6TqDax",
        )
        .tp(
            r#""refresh_token": "ghr_ExampleRefresh9c5Y1UxQtMpIlEhAd6Z2Vy""#,
            "ghr_ExampleRefresh9c5Y1UxQtMpIlEhAd6Z2Vy",
        )
        .fp("refresh_token=ghr_FAKErefresh3QnAX")
        .fp("refresh_token=ghr_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
        // gitleaks `gitlab-pat`: glpat- and 20 URL-safe characters. Routable
        // tokens (GitLab 17.x, gitlab-org/gitlab MR 169322) carry a base64
        // payload of 27 to 300 characters, then a dot and a 2 + 7 (gitleaks
        // `gitlab-pat-routable`) or 2 `.` 9 (trufflehog gitlab v3) base36
        // suffix; the suffix is part of the token, so it is matched too.
        secret(
            "gitlab_pat",
            "GitLab personal access token",
            Severity::Critical,
            r"\b(?P<value>glpat-[0-9A-Za-z_=-]{20,300}(?:\.[0-9a-z]{2}\.?[0-9a-z]{7,9})?)(?:[^0-9A-Za-z_=-]|$)",
        )
        .keywords(&["glpat-"])
        .max_len(330)
        .validator(token_entropy(3.5))
        .label("GITLAB_TOKEN")
        .tp(
            r#"curl --header "PRIVATE-TOKEN: glpat-FAKE-example_3AHOVcj" https://gitlab.example.com/api/v4/projects"#,
            "glpat-FAKE-example_3AHOVcj",
        )
        .tp(
            "GITLAB_TOKEN=glpat-TestOnly3EPalw5GRcny.",
            "glpat-TestOnly3EPalw5GRcny",
        )
        .tp(
            r#""gitlab_secret": "glpat-FAKEexample3AHOVcjqx29GNUbipw18FMTah.01.1z0fakeq7""#,
            "glpat-FAKEexample3AHOVcjqx29GNUbipw18FMTah.01.1z0fakeq7",
        )
        .tp(
            "GITLAB_TOKEN=glpat-TestOnly3EPalw5GRcny7ITep_9KVgr0BMXi.0f1a2b3c4d",
            "glpat-TestOnly3EPalw5GRcny7ITep_9KVgr0BMXi.0f1a2b3c4d",
        )
        .fp("GITLAB_TOKEN=glpat-FAKE-example")
        .fp("GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx")
        .fp("glpat-xxxxxxxx-xxxxxxxxxxxxxxxxxx.xxxxxxxxx"),
        // GitLab's other token types, by prefix ("GitLab token overview",
        // docs.gitlab.com/security/tokens/#token-prefixes; lengths from the
        // gitleaks `gitlab-*` rules): CI/CD job, deploy, feature-flag client,
        // feed, incoming mail, Kubernetes agent, OAuth application secret,
        // runner authentication (also routable), SCIM, pipeline trigger, and
        // the legacy runner registration token `GR1348941`.
        secret(
            "gitlab_token",
            "GitLab token (CI/CD, deploy, runner, trigger, agent, OAuth app and others)",
            Severity::Critical,
            r"\b(?P<value>(?:glcbt-[0-9A-Za-z]{1,5}_[0-9A-Za-z_-]{20}|gl(?:dt|ffct|ft|rt|soat)-[0-9A-Za-z_-]{20}|glimt-[0-9A-Za-z_-]{25}|glagent-[0-9A-Za-z_-]{50}|gloas-[0-9A-Za-z_-]{64}|glrt-t[0-9]_[0-9A-Za-z_-]{27,300}\.[0-9a-z]{2}\.?[0-9a-z]{7,9}|glptt-[0-9a-f]{40}|GR1348941[0-9A-Za-z_-]{20}))(?:[^0-9A-Za-z_-]|$)",
        )
        .keywords(&[
            "glcbt-", "gldt-", "glffct-", "glft-", "glrt-", "glsoat-", "glimt-", "glagent-",
            "gloas-", "glptt-", "gr1348941",
        ])
        .max_len(330)
        .validator(token_entropy(3.0))
        .label("GITLAB_TOKEN")
        .tp(
            "gitlab-runner register --token glrt-FAKEexample3AHOVcjqx --url https://gitlab.example.com",
            "glrt-FAKEexample3AHOVcjqx",
        )
        .tp(
            "curl -X POST -F token=glptt-fa4edeadbeef3a18f6d4b2907e5c3a18f6d4b290 -F ref=main https://gitlab.example.com/api/v4/projects/7/trigger/pipeline",
            "glptt-fa4edeadbeef3a18f6d4b2907e5c3a18f6d4b290",
        )
        .tp(
            r#"deploy_token: "gldt-TestOnly3EPalw5GRcny""#,
            "gldt-TestOnly3EPalw5GRcny",
        )
        .tp(
            "RUNNER_TOKEN=glrt-t1_FAKEexample3AHOVcjqx29GNUbipw.01.0fakeq7z1",
            "glrt-t1_FAKEexample3AHOVcjqx29GNUbipw.01.0fakeq7z1",
        )
        .tp(
            "registration-token: GR1348941FAKEexample3AHOVcjqx",
            "GR1348941FAKEexample3AHOVcjqx",
        )
        .fp("glptt-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
        .fp("GR134894112312312312312312312")
        .fp("glrt-tx_xxxxxxxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxx")
        .fp("Runner tokens start with glrt- and deploy tokens with gldt-."),
        // gitleaks `npm-access-token`: npm_ and 36 alphanumerics.
        secret(
            "npm_token",
            "npm access token",
            Severity::Critical,
            r"\bnpm_[0-9A-Za-z]{36}\b",
        )
        .keywords(&["npm_"])
        .max_len(48)
        .validator(token_entropy(3.5))
        .label("NPM_TOKEN")
        .tp(
            "//registry.npmjs.org/:_authToken=npm_FAKEexample3AHOVcjqx4BIPWdkry5CJQXel",
            "npm_FAKEexample3AHOVcjqx4BIPWdkry5CJQXel",
        )
        .tp(
            "NPM_TOKEN: npm_TestOnly3EPalw7ITep0BMXit4FQbmx8JUfq",
            "npm_TestOnly3EPalw7ITep0BMXit4FQbmx8JUfq",
        )
        .fp("echo $npm_config_registry and $npm_package_version")
        .fp("NPM_TOKEN: npm_FAKEexample3AHOVcjqx4BIPWdkry5CJQXe"),
        // PyPI API tokens are macaroons whose serialised header names the
        // index: `AgEIcHlwaS5vcmc` is pypi.org, `AgENdGVzdC5weXBpLm9yZw`
        // test.pypi.org (PyPI help "API tokens"; gitleaks `pypi-upload-token`).
        secret(
            "pypi_token",
            "PyPI API token",
            Severity::Critical,
            r"\bpypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[0-9A-Za-z_-]{50,1000}",
        )
        .keywords(&["pypi-ageichlwas5vcmc", "pypi-agendgvzdc5wexbplm9yzw"])
        .max_len(1100)
        .validator(token_entropy(3.5))
        .label("PYPI_TOKEN")
        .tp(
            "password = pypi-AgEIcHlwaS5vcmcFAKE-example_3AHOVcjqx29GNUbipw18FMTahov07ELSZgnu-6DKRYfmt_5CJQXelsz4B",
            "pypi-AgEIcHlwaS5vcmcFAKE-example_3AHOVcjqx29GNUbipw18FMTahov07ELSZgnu-6DKRYfmt_5CJQXelsz4B",
        )
        .tp(
            "TWINE_PASSWORD=pypi-AgENdGVzdC5weXBpLm9yZwTestOnly3EPalw5GRcny7ITep_9KVgr0BMXit2DOZkv4FQbmx6HSdoz8JUfq",
            "pypi-AgENdGVzdC5weXBpLm9yZwTestOnly3EPalw5GRcny7ITep_9KVgr0BMXit2DOZkv4FQbmx6HSdoz8JUfq",
        )
        .fp("TWINE_PASSWORD=pypi-AgEIcHlwaS5vcmc")
        .fp("password = pypi-your-token-here"),
    ]
}
