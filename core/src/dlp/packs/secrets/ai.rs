//! AI providers: OpenAI, Anthropic and Hugging Face.

use super::{entropy, secret};
use crate::dlp::RuleSpec;
use crate::schema::Severity;

/// This group's rules.
pub(super) fn rules() -> Vec<RuleSpec> {
    vec![
        // gitleaks `openai-api-key`: legacy keys carry `T3BlbkFJ` (base64 of
        // "OpenAI") between two 20-character halves; project, service-account
        // and admin keys are prefixed and much longer.
        secret(
            "openai_api_key",
            "OpenAI API key",
            Severity::Critical,
            r"\b(?P<value>sk-(?:proj|svcacct|admin)-[0-9A-Za-z_-]{40,250}|sk-[0-9A-Za-z]{20}T3BlbkFJ[0-9A-Za-z]{20})(?:[^0-9A-Za-z_-]|$)",
        )
        .keywords(&["sk-proj-", "sk-svcacct-", "sk-admin-", "t3blbkfj"])
        .max_len(280)
        .validator(entropy(3.5))
        .label("OPENAI_KEY")
        .tp(
            "OPENAI_API_KEY=sk-FAKEexample3AHOVcjqxT3BlbkFJTest3EPalw7ITep0BMXi",
            "sk-FAKEexample3AHOVcjqxT3BlbkFJTest3EPalw7ITep0BMXi",
        )
        .tp(
            r#"client = OpenAI(api_key="sk-proj-FAKE-example_project3AHOVcjqx29GNUbipw18FMTahov07ELSZgnu-6T3BlbkFJTestOnly3EPalw5GRcny7ITep_9KVgr0BMXit2DOZkv4FQbmx6HSdoz8JU")"#,
            "sk-proj-FAKE-example_project3AHOVcjqx29GNUbipw18FMTahov07ELSZgnu-6T3BlbkFJTestOnly3EPalw5GRcny7ITep_9KVgr0BMXit2DOZkv4FQbmx6HSdoz8JU",
        )
        .fp("OPENAI_API_KEY=sk-...your key here...")
        .fp("OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
        .fp("sk-ant-api03-not-an-openai-key and sk-FAKEexample3AHOVcjqxT3BlbkFJTest"),
        // gitleaks `anthropic-api-key` / `anthropic-admin-api-key` and
        // trufflehog `anthropic`: sk-ant-api03- or sk-ant-admin01-, 93
        // characters, then `AA`. OAuth access and refresh tokens of Claude
        // subscriptions (sk-ant-oat01-, sk-ant-ort01-; gitleaks
        // `anthropic-oauth-token`) have no published length, hence 40 or more.
        secret(
            "anthropic_api_key",
            "Anthropic API key",
            Severity::Critical,
            r"\b(?P<value>sk-ant-(?:(?:api|admin)[0-9]{2}-[0-9A-Za-z_-]{93}AA|o[ar]t[0-9]{2}-[0-9A-Za-z_-]{40,250}))(?:[^0-9A-Za-z_-]|$)",
        )
        .keywords(&["sk-ant-"])
        .max_len(280)
        .validator(entropy(3.5))
        .label("ANTHROPIC_KEY")
        .tp(
            "ANTHROPIC_API_KEY=sk-ant-api03-FAKE-example_anthropic3AHOVcjqx29GNUbipw18FMTahov07ELSZgnu-6DKRYfmt_5CJQXelsz4BIPWdkry3AHOVcjAA",
            "sk-ant-api03-FAKE-example_anthropic3AHOVcjqx29GNUbipw18FMTahov07ELSZgnu-6DKRYfmt_5CJQXelsz4BIPWdkry3AHOVcjAA",
        )
        .tp(
            r#"-H "x-api-key: sk-ant-admin01-TestOnly-admin3EPalw5GRcny7ITep_9KVgr0BMXit2DOZkv4FQbmx6HSdoz8JUfq-ALWhs1CNYju3EPalw5GRcny7ITAA""#,
            "sk-ant-admin01-TestOnly-admin3EPalw5GRcny7ITep_9KVgr0BMXit2DOZkv4FQbmx6HSdoz8JUfq-ALWhs1CNYju3EPalw5GRcny7ITAA",
        )
        .tp(
            "CLAUDE_CODE_OAUTH_TOKEN=sk-ant-oat01-FAKE-example_oauth3AHOVcjqx29GNUbipw18FMTahov07ELSZgnu-6DKRYfmt",
            "sk-ant-oat01-FAKE-example_oauth3AHOVcjqx29GNUbipw18FMTahov07ELSZgnu-6DKRYfmt",
        )
        .fp("ANTHROPIC_API_KEY=sk-ant-api03-...")
        .fp("ANTHROPIC_API_KEY=sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxAA")
        // gitleaks' negatives: a key cut short, and one whose last two
        // characters are not `AA`.
        .fp("sk-ant-api03-FAKE-example_anthropic3AHOVcjqx29GNUbipw18FMTahov07ELSZgnu-6DKRYfmt_5CJQXAA")
        .fp("sk-ant-api03-FAKE-example_anthropic3AHOVcjqx29GNUbipw18FMTahov07ELSZgnu-6DKRYfmt_5CJQXelsz4BIPWdkry3AHOVcjBB")
        .fp(r#"anthropic_token = "sk-ant-oat01-tooShort""#),
        // gitleaks `huggingface-access-token` / `-organization-api-token`:
        // hf_ or api_org_ and 34 letters.
        secret(
            "huggingface_token",
            "Hugging Face access token",
            Severity::Critical,
            r"\b(?:hf|api_org)_[A-Za-z]{34}\b",
        )
        .keywords(&["hf_", "api_org_"])
        .max_len(48)
        .validator(entropy(3.5))
        .label("HF_TOKEN")
        .tp(
            "huggingface-cli login --token hf_FAKEexampledkryFMTahovCJQXelszGNUb",
            "hf_FAKEexampledkryFMTahovCJQXelszGNUb",
        )
        .tp(
            "HF_TOKEN=hf_TestOnlydozKVgrCNYjuFQbmxITepALWhs",
            "hf_TestOnlydozKVgrCNYjuFQbmxITepALWhs",
        )
        .fp("from huggingface_hub import hf_hub_download")
        .fp("HF_TOKEN=hf_FAKEexample123")
        .fp("HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    ]
}
