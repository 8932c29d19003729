//! Build, deploy and package tooling: container and package registries
//! (Docker Hub, RubyGems, NuGet, Clojars, JFrog), CI services (CircleCI,
//! Buildkite), infrastructure as code and secret stores (Terraform Cloud,
//! Vault, Pulumi, Doppler, 1Password, age), hosting (Netlify, Fly.io) and
//! developer platforms (Atlassian and Bitbucket, Postman, Sourcegraph).
//!
//! Each token here carries a prefix its vendor documents, which is the
//! trigger; lengths and alphabets are the vendor's or, where the vendor
//! publishes none, those of the gitleaks rule named in the comment.

use super::{entropy, near_word, prefixed, secret};
use crate::dlp::RuleSpec;
use crate::schema::Severity;

/// This group's rules.
pub(super) fn rules() -> Vec<RuleSpec> {
    vec![
        // Docker docs "Personal access tokens" (dckr_pat_) and "Organization
        // access tokens" (dckr_oat_); the body is 27 URL-safe characters in
        // every token Docker has shown, a little slack either side.
        prefixed(
            "docker_hub_token",
            "Docker Hub access token",
            r"\b(?P<value>dckr_(?:pat|oat)_[A-Za-z0-9_-]{24,40})(?:[^A-Za-z0-9_-]|$)",
            &["dckr_pat_", "dckr_oat_"],
            64,
            "DOCKER_TOKEN",
        )
        .tp(
            "echo dckr_pat_Yt7Gbck_bq4JgYUL4uY8pez2aI3 | docker login -u ci --password-stdin",
            "dckr_pat_Yt7Gbck_bq4JgYUL4uY8pez2aI3",
        )
        .tp("DOCKERHUB_TOKEN=dckr_oat_7mbOqiywd2Jz1A7bMsCvuBhTE3X", "dckr_oat_7mbOqiywd2Jz1A7bMsCvuBhTE3X")
        .fp("DOCKER_TOKEN=dckr_pat_xxxxx")
        .fp("Docker tokens start with dckr_pat_ and are shown only once."),
        // gitleaks `rubygems-api-token`: rubygems_ and 48 hex.
        prefixed(
            "rubygems_token",
            "RubyGems API key",
            r"\brubygems_[a-f0-9]{48}\b",
            &["rubygems_"],
            64,
            "RUBYGEMS_TOKEN",
        )
        .tp(
            "GEM_HOST_API_KEY=rubygems_824cbf5f950221be3e456e4249ac21be168a2848e6d3a738",
            "rubygems_824cbf5f950221be3e456e4249ac21be168a2848e6d3a738",
        )
        .tp(
            ":rubygems_api_key: rubygems_500ce1a78f6aa049bbcc1726434a3b0e6b64ea9987d6e917",
            "rubygems_500ce1a78f6aa049bbcc1726434a3b0e6b64ea9987d6e917",
        )
        .fp("GEM_HOST_API_KEY=rubygems_1aee1861e10de84f11832ea24fd3807b6376556e")
        .fp("require 'rubygems_plugin'"),
        // NuGet.org API keys: `oy2` and 43 lower-case alphanumerics
        // (gitleaks `nuget-config-password` notes; trufflehog `nugetapikey`).
        prefixed(
            "nuget_api_key",
            "NuGet API key",
            r"\boy2[a-z0-9]{43}\b",
            &["oy2"],
            64,
            "NUGET_KEY",
        )
        .tp(
            "dotnet nuget push pkg.nupkg --api-key oy2icm76og7av6i4ihhc2frzidhs7dgtspky9yjvcptyp4 --source nuget.org",
            "oy2icm76og7av6i4ihhc2frzidhs7dgtspky9yjvcptyp4",
        )
        .tp("NUGET_API_KEY: oy2pm0jk525mrbmvcot7qcyiqx3qd3tflbx4cycwdoayi5", "oy2pm0jk525mrbmvcot7qcyiqx3qd3tflbx4cycwdoayi5")
        .fp("NUGET_API_KEY: oy2zgl02rxnszik75to07cd7ga5s3xsix")
        .fp("toy2 boy2 and oy2 are words, not keys"),
        // gitleaks `clojars-api-token`: CLOJARS_ and 60 lower-case
        // alphanumerics.
        prefixed(
            "clojars_token",
            "Clojars deploy token",
            r"(?i)\bCLOJARS_[a-z0-9]{60}\b",
            &["clojars_"],
            80,
            "CLOJARS_TOKEN",
        )
        .tp(
            ":password \"CLOJARS_4pi2eyg4g8d3rwyke9o8600ldxgakqk7i9s7p9fmid9m4hj45tlilk514dkw\"",
            "CLOJARS_4pi2eyg4g8d3rwyke9o8600ldxgakqk7i9s7p9fmid9m4hj45tlilk514dkw",
        )
        .tp("export CLOJARS_TOKEN=CLOJARS_eqlaaucjrok0pmujvwyuotss71kjayg71lqn25nigf0zatli6zdwfln9tald", "CLOJARS_eqlaaucjrok0pmujvwyuotss71kjayg71lqn25nigf0zatli6zdwfln9tald")
        .fp("export CLOJARS_USERNAME=someone")
        .fp("CLOJARS_yx6m74joxla53pt2ue02wcw5cexwuedf3ytornl8"),
        // gitleaks `artifactory-api-key` (AKCp + 69) and
        // `artifactory-reference-token` (cmVmd + 59; base64 of "ref").
        prefixed(
            "jfrog_token",
            "JFrog Artifactory API key or reference token",
            r"\b(?:AKCp[A-Za-z0-9]{69}|cmVmd[A-Za-z0-9]{59})\b",
            &["akcp", "cmvmd"],
            96,
            "JFROG_TOKEN",
        )
        .tp(
            "curl -H 'X-JFrog-Art-Api: AKCpM59IhgSRy3lG4tJWsnB7LnaqUmSXkVvJaqghy5ObDBTX0MPwVyKEr4TFTiRJWBuOPsChA' https://repo.example.com",
            "AKCpM59IhgSRy3lG4tJWsnB7LnaqUmSXkVvJaqghy5ObDBTX0MPwVyKEr4TFTiRJWBuOPsChA",
        )
        .tp(
            "ARTIFACTORY_ACCESS_TOKEN=cmVmdSolZFdVwGZ05YYt8VuaEkGQTjexuEaMJBOfKHFhyK6hlSMvY0692dE4K3SV",
            "cmVmdSolZFdVwGZ05YYt8VuaEkGQTjexuEaMJBOfKHFhyK6hlSMvY0692dE4K3SV",
        )
        .fp("X-JFrog-Art-Api: AKCp3r96KFwMrpnvt2RC17utLW9mupDZCqKaqhu17C4i")
        .fp("ARTIFACTORY_ACCESS_TOKEN=cmVmdXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
        // CircleCI docs "Managing API tokens" (2023 format): CCIPAT_
        // (personal) or CCIPRJ_ (project), 22 characters, `_`, 40 hex.
        prefixed(
            "circleci_token",
            "CircleCI API token",
            r"\bCCIP(?:AT|RJ)_[A-Za-z0-9]{22}_[a-f0-9]{40}\b",
            &["ccipat_", "cciprj_"],
            80,
            "CIRCLECI_TOKEN",
        )
        .tp(
            "CIRCLE_TOKEN=CCIPAT_NIMeFuYJbLY20hnVzg3FwG_0d4e58e353e56710496a7f23167fe3b27a951e58",
            "CCIPAT_NIMeFuYJbLY20hnVzg3FwG_0d4e58e353e56710496a7f23167fe3b27a951e58",
        )
        .tp(
            "curl -H \"Circle-Token: CCIPRJ_mEzA2CHtEE4IottnyZ621S_1143fd83fa4ae7a45ed817615efa93e8b88d7da6\"",
            "CCIPRJ_mEzA2CHtEE4IottnyZ621S_1143fd83fa4ae7a45ed817615efa93e8b88d7da6",
        )
        .fp("CIRCLE_TOKEN=CCIPAT_mrV7B8hLUOGawmhsxlgfLp")
        .fp("Personal tokens now start with CCIPAT_ and project tokens with CCIPRJ_."),
        // Buildkite docs "API access tokens": bkua_ and 40 hex (gitleaks
        // has no rule; trufflehog `buildkite` v2 uses the same shape).
        prefixed(
            "buildkite_token",
            "Buildkite API access token",
            r"\bbkua_[a-f0-9]{40}\b",
            &["bkua_"],
            56,
            "BUILDKITE_TOKEN",
        )
        .tp("BUILDKITE_API_TOKEN=bkua_a8710b6d385e084c9239405f270b88f27fed468d", "bkua_a8710b6d385e084c9239405f270b88f27fed468d")
        .tp(
            "Authorization: Bearer bkua_a5df37bce308dfabf5a4394df8931f17ba7e88ae",
            "bkua_a5df37bce308dfabf5a4394df8931f17ba7e88ae",
        )
        .fp("BUILDKITE_API_TOKEN=bkua_be1bc4d9b5cfafc230237f7a6107178f")
        .fp("BUILDKITE_API_TOKEN=bkua_0000000000000000000000000000000000000000"),
        // gitleaks `hashicorp-tf-api-token`: 14 characters, `.atlasv1.`,
        // 60–70 URL-safe characters (Terraform Cloud / HCP Terraform).
        prefixed(
            "terraform_cloud_token",
            "Terraform Cloud API token",
            r"\b(?P<value>[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})(?:[^A-Za-z0-9_=-]|$)",
            &[".atlasv1."],
            96,
            "TERRAFORM_TOKEN",
        )
        .tp(
            "credentials \"app.terraform.io\" {\n  token = \"Q4lQ43cE6XCIki.atlasv1.F-SI09zRFaVOUnZl1dWI0c-T96vomVjsi_hZ9Y1G0J5KBv5qzcjDkdCrZb-cIlt9YUW\"\n}",
            "Q4lQ43cE6XCIki.atlasv1.F-SI09zRFaVOUnZl1dWI0c-T96vomVjsi_hZ9Y1G0J5KBv5qzcjDkdCrZb-cIlt9YUW",
        )
        .tp(
            "TFE_TOKEN=IDXCgWUX2HGJXo.atlasv1.QcX03BO9Cktw25a65MMW5uFXpN5xjNFDLR0yIdKPsf1MNqr1XKeECX3BfkktNdNz",
            "IDXCgWUX2HGJXo.atlasv1.QcX03BO9Cktw25a65MMW5uFXpN5xjNFDLR0yIdKPsf1MNqr1XKeECX3BfkktNdNz",
        )
        .fp("TFE_TOKEN=xxxxxxxxxxxxxx.atlasv1.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
        .fp("Tokens contain .atlasv1. in the middle."),
        // HashiCorp Vault docs "Tokens" (1.10+): hvs. service, hvb. batch
        // and hvr. recovery tokens; gitleaks `vault-service-token` and
        // `vault-batch-token` give 90–120 and 138+ characters, and dev-mode
        // root tokens have 24.
        prefixed(
            "vault_token",
            "HashiCorp Vault token",
            r"\b(?P<value>hv[sbr]\.[A-Za-z0-9_-]{24,400})(?:[^A-Za-z0-9_-]|$)",
            &["hvs.", "hvb.", "hvr."],
            420,
            "VAULT_TOKEN",
        )
        .tp(
            "export VAULT_TOKEN=hvs.CAESIxBthfRZL5BxOgcxL8qs5hyls9H4K3SeAolhcsYwOopAs2dppCmn7RPoyylmT7A9OLJCGusfvCXTOyY4aMFgqePefmg",
            "hvs.CAESIxBthfRZL5BxOgcxL8qs5hyls9H4K3SeAolhcsYwOopAs2dppCmn7RPoyylmT7A9OLJCGusfvCXTOyY4aMFgqePefmg",
        )
        .tp(
            "Root Token: hvs.0a5stEzDIS5zjVZD3d1K0aVt",
            "hvs.0a5stEzDIS5zjVZD3d1K0aVt",
        )
        .fp("export VAULT_TOKEN=hvs.XXXXXXXXXXXXXXXXXXXXXXXX")
        .fp("Service tokens start with hvs. and batch tokens with hvb.")
        .fp("VAULT_TOKEN=hvs.000000000000000000000000"),
        // gitleaks `pulumi-api-token`: pul- and 40 hex.
        prefixed(
            "pulumi_token",
            "Pulumi access token",
            r"\bpul-[a-f0-9]{40}\b",
            &["pul-"],
            48,
            "PULUMI_TOKEN",
        )
        .tp("PULUMI_ACCESS_TOKEN=pul-8e3a4037e9fdbb8f7b7cf1f75ad3b22d508c1284", "pul-8e3a4037e9fdbb8f7b7cf1f75ad3b22d508c1284")
        .tp("pulumi login --token pul-36f726f2a1befa2d2f8b553c01e5606ee817da0e", "pul-36f726f2a1befa2d2f8b553c01e5606ee817da0e")
        .fp("PULUMI_ACCESS_TOKEN=pul-2b2dba45c9afb03b1d9478f3a1ecf593")
        .fp("a pul-request is not a token"),
        // Doppler docs "Token formats": dp.pt. (personal), dp.st.
        // (service), dp.ct. (CLI), dp.sa. (service account), dp.scim.,
        // dp.audit.; gitleaks `doppler-api-token` gives 43 characters.
        prefixed(
            "doppler_token",
            "Doppler token",
            r"\bdp\.(?:pt|st|ct|sa|scim|audit)\.(?:[a-z0-9_-]{1,40}\.)?[A-Za-z0-9]{40,44}\b",
            &["dp.pt.", "dp.st.", "dp.ct.", "dp.sa.", "dp.scim.", "dp.audit."],
            120,
            "DOPPLER_TOKEN",
        )
        .tp("DOPPLER_TOKEN=dp.st.FY73xDXGwCjJo0kja98GwyZBipReIPRe27OfRlC9kQv", "dp.st.FY73xDXGwCjJo0kja98GwyZBipReIPRe27OfRlC9kQv")
        .tp(
            "doppler configure set token dp.pt.MMtaFjziu3ChyVNRGjwO77X5SngDyzLrBYnds3YRBYr",
            "dp.pt.MMtaFjziu3ChyVNRGjwO77X5SngDyzLrBYnds3YRBYr",
        )
        .fp("DOPPLER_TOKEN=dp.st.dev.xxxx")
        .fp("Service tokens look like dp.st.<environment>.<random>."),
        // 1Password: service-account tokens (gitleaks
        // `1password-service-account-token`: ops_eyJ + 250+ base64) and
        // account Secret Keys (`A3-` + 6 + 11 or 6-5 + three groups of 5).
        prefixed(
            "onepassword_secret",
            "1Password service account token or Secret Key",
            r"\b(?:ops_eyJ[A-Za-z0-9+/]{250,2000}={0,3}|A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})",
            &["ops_eyj", "a3-"],
            2100,
            "ONEPASSWORD_SECRET",
        )
        .tp(
            "OP_SERVICE_ACCOUNT_TOKEN=ops_eyJYeMm7qckfs538ysF+XzO8rM6pdg0jaULAwopOyk0ePfoSL/ipW1pldlCmfuNWujhpAzNJdXE+leMK2X2PewYBnsO/Gr3H1b78Yu3rlPwsWz+SM5YhlLpFyfMWfnxGT1aw+e3Xi/5jNz046Cg35bQWWJINOn2zRAhQ6ve0BzrexlW7S2zlJGd/eqEvTskIevK9DcEvt+Yl3qad4a4CfhNs3Sy4USwKzhcZifESKzQT47jG2KztC99kwW3TIZFCUN84ORm7eMQd8y4sT0pY19wt2JBbWd+S0tKPAH4+tTORO32",
            "ops_eyJYeMm7qckfs538ysF+XzO8rM6pdg0jaULAwopOyk0ePfoSL/ipW1pldlCmfuNWujhpAzNJdXE+leMK2X2PewYBnsO/Gr3H1b78Yu3rlPwsWz+SM5YhlLpFyfMWfnxGT1aw+e3Xi/5jNz046Cg35bQWWJINOn2zRAhQ6ve0BzrexlW7S2zlJGd/eqEvTskIevK9DcEvt+Yl3qad4a4CfhNs3Sy4USwKzhcZifESKzQT47jG2KztC99kwW3TIZFCUN84ORm7eMQd8y4sT0pY19wt2JBbWd+S0tKPAH4+tTORO32",
        )
        .tp(
            "Secret Key: A3-ZA83QD-II0R0VTYCK2-11W51-Z8MX6-JBRFV",
            "A3-ZA83QD-II0R0VTYCK2-11W51-Z8MX6-JBRFV",
        )
        .fp("OP_SERVICE_ACCOUNT_TOKEN=ops_eyJVMYsluahCNpPwweLrDJkSIZdhNDfKfI8PRbw2W8a")
        .fp("paper size A3-landscape"),
        // age (age-encryption.org/v1): AGE-SECRET-KEY-1 and 58 Bech32
        // characters (gitleaks `age-secret-key`).
        prefixed(
            "age_secret_key",
            "age secret key",
            r"\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b",
            &["age-secret-key-1"],
            80,
            "AGE_KEY",
        )
        .tp(
            "# public key: age1...\nAGE-SECRET-KEY-1PUKG9AZUDKHT89M4F40SJQ0DD9DLRCC0G0R5Y2X5L5LRHPEEMFMZ9E64J6",
            "AGE-SECRET-KEY-1PUKG9AZUDKHT89M4F40SJQ0DD9DLRCC0G0R5Y2X5L5LRHPEEMFMZ9E64J6",
        )
        .tp("SOPS_AGE_KEY=AGE-SECRET-KEY-15RPM44QZJFDJDFCVHRHLG03ANNUJPF8TAU43ZJWCACMWFT5P4N3GCF337N", "AGE-SECRET-KEY-15RPM44QZJFDJDFCVHRHLG03ANNUJPF8TAU43ZJWCACMWFT5P4N3GCF337N")
        .fp("SOPS_AGE_KEY=AGE-SECRET-KEY-1E4W7USZLAQV0H4PWSRYTZ0TCENENMC")
        .fp("Keys begin with AGE-SECRET-KEY-1 and are Bech32."),
        // Atlassian API tokens (ATATT3, gitleaks `atlassian-api-token`: 186
        // more) and Bitbucket app passwords and access tokens (ATBB, ATCTT3:
        // Atlassian's 2022 token format, a prefix then the random part and an
        // 8-character checksum).
        prefixed(
            "atlassian_token",
            "Atlassian or Bitbucket API token",
            r"\b(?P<value>AT(?:ATT|CTT)3[A-Za-z0-9_=-]{150,250}|ATBB[A-Za-z0-9_=.-]{28,64})(?:[^A-Za-z0-9_=.-]|$)",
            &["atatt3", "atctt3", "atbb"],
            280,
            "ATLASSIAN_TOKEN",
        )
        .tp(
            "JIRA_API_TOKEN=ATATT3xFfGF0IyDd8E6iHbHde80x5hWNdrEtqsV8nc_3k3oKGJOP8P16aqz1UcsFdHNy13GiaBc_0E80vt31SwO83-xUmUgkSYSFDofeiHQp2EfJhZDZU4J3EBswKsBminir6kYWLb_zsm0WdedOPLlKJGDxSNrxep0FhmD505H91euKCuB3NnwOwXLZc-O-",
            "ATATT3xFfGF0IyDd8E6iHbHde80x5hWNdrEtqsV8nc_3k3oKGJOP8P16aqz1UcsFdHNy13GiaBc_0E80vt31SwO83-xUmUgkSYSFDofeiHQp2EfJhZDZU4J3EBswKsBminir6kYWLb_zsm0WdedOPLlKJGDxSNrxep0FhmD505H91euKCuB3NnwOwXLZc-O-",
        )
        .tp(
            "git clone https://me:ATBBkP1HH1WxeDy2vF7B7v37OusREOgYpwoB@bitbucket.org/team/repo.git",
            "ATBBkP1HH1WxeDy2vF7B7v37OusREOgYpwoB",
        )
        .fp("JIRA_API_TOKEN=ATATT3xxxxxxxx")
        .fp("BITBUCKET_APP_PASSWORD=ATBBXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
        // gitleaks `postman-api-token`: PMAK-, 24 hex, `-`, 34 hex.
        prefixed(
            "postman_api_key",
            "Postman API key",
            r"\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b",
            &["pmak-"],
            72,
            "POSTMAN_KEY",
        )
        .tp(
            "postman login --with-api-key PMAK-35c14271599849a6da88f191-ad7b7aa67d01455d52a0e9013339017da0",
            "PMAK-35c14271599849a6da88f191-ad7b7aa67d01455d52a0e9013339017da0",
        )
        .tp(
            "\"X-Api-Key\": \"PMAK-2849c394ccae90b5f16ef873-08f0856df317da559394118c7d78b4adb0\"",
            "PMAK-2849c394ccae90b5f16ef873-08f0856df317da559394118c7d78b4adb0",
        )
        .fp("X-Api-Key: PMAK-7783cf513bf1349829c4216a")
        .fp("X-Api-Key: PMAK-xxxxxxxxxxxxxxxxxxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        // gitleaks `sourcegraph-access-token`: sgp_ with an optional
        // 16-hex instance id or `local`, then 40 hex.
        prefixed(
            "sourcegraph_token",
            "Sourcegraph access token",
            r"\bsgp_(?:(?:[a-f0-9]{16}|local)_)?[a-f0-9]{40}\b",
            &["sgp_"],
            72,
            "SOURCEGRAPH_TOKEN",
        )
        .tp(
            "SRC_ACCESS_TOKEN=sgp_b1500bb84d3ea59b_fee070a64cbec961408282ece109a7fd1c4e01b8",
            "sgp_b1500bb84d3ea59b_fee070a64cbec961408282ece109a7fd1c4e01b8",
        )
        .tp("SRC_ACCESS_TOKEN=sgp_547a2aeb281699708f9fddb67a8b530f4a8941c9", "sgp_547a2aeb281699708f9fddb67a8b530f4a8941c9")
        .fp("SRC_ACCESS_TOKEN=sgp_4199d83f69cce54cb327")
        .fp("tokens start with sgp_local_ on local instances"),
        // Netlify personal access tokens (nfp_, 36 alphanumerics; Netlify
        // changelog "Personal access token format", 2023).
        prefixed(
            "netlify_token",
            "Netlify personal access token",
            r"\bnfp_[A-Za-z0-9]{36}\b",
            &["nfp_"],
            48,
            "NETLIFY_TOKEN",
        )
        .tp("NETLIFY_AUTH_TOKEN=nfp_RmlHfnNC7V6yvgVV6wQtaFrjHzy8w1lp6K3u", "nfp_RmlHfnNC7V6yvgVV6wQtaFrjHzy8w1lp6K3u")
        .tp("netlify deploy --auth nfp_TxV1Yu22aKu2Eqk1AtUQvk4kg2qfQ7ouL5DA --prod", "nfp_TxV1Yu22aKu2Eqk1AtUQvk4kg2qfQ7ouL5DA")
        .fp("NETLIFY_AUTH_TOKEN=nfp_6T2sc1VsZWpLffhNMQcr")
        .fp("NETLIFY_AUTH_TOKEN=nfp_000000000000000000000000000000000000"),
        // gitleaks `flyio-access-token`: fo1_ + 43, or fm1a_/fm1r_/fm2_
        // macaroons of 100+ base64 characters.
        prefixed(
            "flyio_token",
            "Fly.io access token",
            r"\b(?:fo1_[A-Za-z0-9_-]{43}|fm(?:1[ar]|2)_[A-Za-z0-9+/]{100,2000}={0,3})",
            &["fo1_", "fm1a_", "fm1r_", "fm2_"],
            2100,
            "FLYIO_TOKEN",
        )
        .tp("FLY_API_TOKEN=fo1_UQyTeNoQgrEARSB5enNTK4MVOin88O7dqXBnxHe-k1Z", "fo1_UQyTeNoQgrEARSB5enNTK4MVOin88O7dqXBnxHe-k1Z")
        .tp(
            "FLY_API_TOKEN=\"FlyV1 fm2_lpPywFTywkSVtQKnc6HRe4JDxsyhnF+j4Ca/imcl4Kpsq8uRaWCl05wN6pU0r09Wo5xwfYuvwuG6MlnvMkXUuIp/RFU0QKDgeIya9Of43ZRY/oarynT3Q8bIsApXRv5z3wGei1LAP2AYIrSTg6wV4JfT9VdYo1Fc\"",
            "fm2_lpPywFTywkSVtQKnc6HRe4JDxsyhnF+j4Ca/imcl4Kpsq8uRaWCl05wN6pU0r09Wo5xwfYuvwuG6MlnvMkXUuIp/RFU0QKDgeIya9Of43ZRY/oarynT3Q8bIsApXRv5z3wGei1LAP2AYIrSTg6wV4JfT9VdYo1Fc",
        )
        .fp("FLY_API_TOKEN=fo1_qh0PDjvVL-sTsnpVXedg")
        .fp("fm2_ tokens are macaroons"),
        // Vault tokens before 1.10: `s.` + 24 alphanumerics, taken only
        // after a Vault word (`s.` alone is every `this.x`); letters-only
        // bodies are code (`s.AcceptanceTimeoutSeconds`), as in gitleaks
        // `vault-service-token`'s allowlist.
        secret(
            "vault_legacy_token",
            "HashiCorp Vault token (before 1.10)",
            Severity::Critical,
            &near_word("vault", r"s\.[A-Za-z0-9]{24}"),
        )
        .keywords(&["vault"])
        .max_len(128)
        .validator(entropy(3.5))
        .allow_patterns(&[r"s\.[A-Za-z]{24}"])
        .label("VAULT_TOKEN")
        .tp("VAULT_TOKEN=s.GwZZdB7ZYhxVPk4CAhsJ5sdo", "s.GwZZdB7ZYhxVPk4CAhsJ5sdo")
        .tp("vault login s.1h97fCHg5e4Pnvr78Tn9s9MT", "s.1h97fCHg5e4Pnvr78Tn9s9MT")
        .fp("vault: s.AcceptanceTimeoutSecondsX")
        .fp("VAULT_ADDR=https://vault.example.com:8200"),
        // Atlassian API tokens before ATATT3 were 24 alphanumerics, and
        // Bitbucket OAuth consumers have a 32-character key and a
        // 64-character secret; none has a prefix, so a product word must
        // come first (gitleaks `atlassian-api-token`,
        // `bitbucket-client-id`, `bitbucket-client-secret`). Hex values
        // beside the word are account ids and hashes.
        secret(
            "atlassian_named_token",
            "Atlassian or Bitbucket key (named)",
            Severity::Critical,
            &near_word(
                "atlassian|confluence|jira|bitbucket",
                "[A-Za-z0-9]{24}|[A-Za-z0-9]{32}|[A-Za-z0-9_=-]{64}",
            ),
        )
        .keywords(&["atlassian", "confluence", "jira", "bitbucket"])
        .max_len(160)
        .validator(entropy(3.5))
        .allow_patterns(&["[0-9a-f]{24}", "[0-9a-f]{32}", "[0-9a-f]{64}"])
        .label("ATLASSIAN_TOKEN")
        .tp("JIRA_API_TOKEN=Dk8L6clyJJIo0S35IyrItXT8", "Dk8L6clyJJIo0S35IyrItXT8")
        .tp("bitbucket_client_secret: \"SAcjogFTljA3glmULqxezGUPhWz1fEvPb51dYJdBvd6jWHWNwlR9MeN3tEYBOANR\"", "SAcjogFTljA3glmULqxezGUPhWz1fEvPb51dYJdBvd6jWHWNwlR9MeN3tEYBOANR")
        .fp("JIRA_ACCOUNT_ID=5b10ac8d82e05b22cc7d4ef5")
        .fp("confluence page https://example.atlassian.net/wiki/spaces/ENG/pages/123456789"),
        // JFrog API keys (73) and identity tokens (64) without their
        // prefixes, after a JFrog product word (gitleaks `jfrog-api-key`,
        // `jfrog-identity-token`); a hex digest is not one.
        secret(
            "jfrog_named_token",
            "JFrog API key or identity token (named)",
            Severity::Critical,
            &near_word("jfrog|artifactory|bintray", "[A-Za-z0-9]{73}|[A-Za-z0-9]{64}"),
        )
        .keywords(&["jfrog", "artifactory", "bintray"])
        .max_len(200)
        .validator(entropy(3.5))
        .allow_patterns(&["[0-9a-f]{64}"])
        .label("JFROG_TOKEN")
        .tp(
            "--set imagePullSecretJfrog.password=OccXkR1ViwC7c6qnjYmS4H7HsE4VG2v76A1pkVSlRGoq3NTgI0z0alzCWnJkhEiiqR3xsfGjc",
            "OccXkR1ViwC7c6qnjYmS4H7HsE4VG2v76A1pkVSlRGoq3NTgI0z0alzCWnJkhEiiqR3xsfGjc",
        )
        .tp("\"artifactory\", \"KAcQNqkYFYLz8evEiZ4j7UTMGLHj1lCAel4QpR0AKsHz5pfYHpqf0ZbZcVlroojW\"", "KAcQNqkYFYLz8evEiZ4j7UTMGLHj1lCAel4QpR0AKsHz5pfYHpqf0ZbZcVlroojW")
        .fp("artifactory sha256 11b9d49fc08fbf54a2989d5e52e2a3c6439edc106b45dfb81df82a1804225f96")
        .fp("JFROG_URL=https://acme.jfrog.io/artifactory/api/npm/npm-remote/"),
    ]
}
