//! AI providers: OpenAI, Anthropic, Hugging Face, and the inference
//! clouds and AI developer services with their own key prefixes (Groq,
//! Perplexity, Replicate, xAI, OpenRouter, NVIDIA, LangSmith, Pinecone,
//! Tavily, Cerebras, Together AI, Langfuse, Helicone, Jina AI), plus
//! Cohere, Mistral, DeepSeek/DashScope, ElevenLabs, Weights & Biases and
//! Kaggle keys found by name.

use super::{entropy, near_word, prefixed, secret, token_entropy};
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
        .validator(token_entropy(3.5))
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
        .validator(token_entropy(3.5))
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
        .validator(token_entropy(3.5))
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
        // Groq console keys: gsk_ + 52 alphanumerics (gitleaks has none;
        // the shape every Groq key in Groq's docs and SDK tests has).
        prefixed(
            "groq_api_key",
            "Groq API key",
            r"\bgsk_[A-Za-z0-9]{48,56}\b",
            &["gsk_"],
            64,
            "GROQ_KEY",
        )
        .tp("GROQ_API_KEY=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", "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")
        .tp("client = Groq(api_key=\"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\")", "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")
        .fp("GROQ_API_KEY=gsk_...")
        .fp("GROQ_API_KEY=gsk_W9ly44C8qrRjSkbSp8Md"),
        // Perplexity API keys: pplx- + 48 (hex in older keys, alphanumeric
        // in newer ones; Perplexity docs "Getting started").
        prefixed(
            "perplexity_api_key",
            "Perplexity API key",
            r"\bpplx-[A-Za-z0-9]{40,64}\b",
            &["pplx-"],
            72,
            "PERPLEXITY_KEY",
        )
        .tp("PERPLEXITY_API_KEY=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", "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")
        .tp("Authorization: Bearer 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", "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")
        .fp("PERPLEXITY_API_KEY=pplx-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
        .fp("PERPLEXITY_API_KEY=pplx-ec084f82ebbdfdbd1d4e"),
        // Replicate API tokens: r8_ + 37 (40 in all; Replicate docs
        // "Authentication").
        prefixed(
            "replicate_api_token",
            "Replicate API token",
            r"\br8_[A-Za-z0-9]{37}\b",
            &["r8_"],
            48,
            "REPLICATE_TOKEN",
        )
        .tp("REPLICATE_API_TOKEN=r8_wrLnWwczUKsvalrdKxfJlnRuFfmFOZjR3BJeM", "r8_wrLnWwczUKsvalrdKxfJlnRuFfmFOZjR3BJeM")
        .tp("export REPLICATE_API_TOKEN='r8_Sm6JuJAPnfIgTPJGojiLZRo704A719raNsiTz'", "r8_Sm6JuJAPnfIgTPJGojiLZRo704A719raNsiTz")
        .fp("REPLICATE_API_TOKEN=r8_iNiHtVfrjb0KpUkS3Yaj")
        .fp("REPLICATE_API_TOKEN=r8_*************************************"),
        // xAI API keys: xai- + 80 alphanumerics (xAI console).
        prefixed(
            "xai_api_key",
            "xAI API key",
            r"\bxai-[A-Za-z0-9]{70,90}\b",
            &["xai-"],
            100,
            "XAI_KEY",
        )
        .tp("XAI_API_KEY=xai-RFJyjnToyUeOH2YKpZ0GrJGtvvnuwXg39jQgG9fkUuuu64NvrQPSNpAxK6fYM0rpEHEsUWCGybYiomEZ", "xai-RFJyjnToyUeOH2YKpZ0GrJGtvvnuwXg39jQgG9fkUuuu64NvrQPSNpAxK6fYM0rpEHEsUWCGybYiomEZ")
        .tp("client = Client(api_key='xai-yqWLjcc3IlXwN59pATHpRUdP1fFwTP9KB8jCijb2FVXnAFwGY2EmYewT60gDcJwxPZo3QV5Y5SG3ecmi')", "xai-yqWLjcc3IlXwN59pATHpRUdP1fFwTP9KB8jCijb2FVXnAFwGY2EmYewT60gDcJwxPZo3QV5Y5SG3ecmi")
        .fp("XAI_API_KEY=xai-BqNTGqKSvpfZk6UoykWLf2M2KraMdH")
        .fp("see the xai-sdk package"),
        // OpenRouter keys: sk-or-v1- + 64 hex (OpenRouter docs
        // "Authentication").
        prefixed(
            "openrouter_api_key",
            "OpenRouter API key",
            r"\bsk-or-v1-[a-f0-9]{64}\b",
            &["sk-or-v1-"],
            80,
            "OPENROUTER_KEY",
        )
        .tp("OPENROUTER_API_KEY=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", "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")
        .tp(
            "\"Authorization\": \"Bearer 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\"",
            "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",
        )
        .fp("OPENROUTER_API_KEY=sk-or-v1-0fa2e067d82a76205b2d39bd599d06fc")
        .fp("OPENROUTER_API_KEY=sk-or-v1-..."),
        // NVIDIA API catalog keys: nvapi- + 64 URL-safe characters
        // (build.nvidia.com docs).
        prefixed(
            "nvidia_api_key",
            "NVIDIA API key",
            r"\b(?P<value>nvapi-[A-Za-z0-9_-]{60,70})(?:[^A-Za-z0-9_-]|$)",
            &["nvapi-"],
            80,
            "NVIDIA_KEY",
        )
        .tp("NVIDIA_API_KEY=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", "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")
        .tp("api_key=\"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\"", "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")
        .fp("NVIDIA_API_KEY=nvapi-dVkSHslKNvdhj8jGzTqW")
        .fp("NVIDIA_API_KEY=nvapi-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        // LangSmith keys: lsv2_pt_ (personal) or lsv2_sk_ (service), 32,
        // `_`, 10 (LangSmith docs "Create an account and API key" show hex;
        // gitleaks `langsmith-api-key` takes any alphanumerics).
        prefixed(
            "langsmith_api_key",
            "LangSmith API key",
            r"\blsv2_(?:pt|sk)_[A-Za-z0-9]{32}_[A-Za-z0-9]{10}\b",
            &["lsv2_pt_", "lsv2_sk_"],
            64,
            "LANGSMITH_KEY",
        )
        .tp(
            "LANGCHAIN_API_KEY=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",
            "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",
        )
        .tp(
            "LANGSMITH_API_KEY=\"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\"",
            "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",
        )
        .fp("LANGSMITH_API_KEY=lsv2_pt_aadf0784c253e998d7c2e9448669e231")
        .fp("LANGSMITH_API_KEY=lsv2_pt_..."),
        // Pinecone API keys: pcsk_ + a short id, `_`, a long random part
        // (Pinecone docs "Authentication", 2024 format).
        prefixed(
            "pinecone_api_key",
            "Pinecone API key",
            r"\bpcsk_[A-Za-z0-9]{4,8}_[A-Za-z0-9]{40,80}\b",
            &["pcsk_"],
            100,
            "PINECONE_KEY",
        )
        .tp("PINECONE_API_KEY=pcsk_DvqNeN_qRGhYEi63xPjBqYNXGj75ytJYvYSLXgavp3UwSTN9u1N0lWXQfgTIR4QImkh1yE", "pcsk_DvqNeN_qRGhYEi63xPjBqYNXGj75ytJYvYSLXgavp3UwSTN9u1N0lWXQfgTIR4QImkh1yE")
        .tp("pc = Pinecone(api_key=\"pcsk_LQk7O_NVJw5FKtn6lxXiHWDKecVksgdyATuE3R7ibUok00yxI9b5SBRsGslijyaaq1gXJ\")", "pcsk_LQk7O_NVJw5FKtn6lxXiHWDKecVksgdyATuE3R7ibUok00yxI9b5SBRsGslijyaaq1gXJ")
        .fp("PINECONE_API_KEY=pcsk_IeMIut")
        .fp("PINECONE_API_KEY=pcsk_..."),
        // Tavily API keys: tvly- (optionally dev- or prod-) + 32
        // (Tavily docs "API keys").
        prefixed(
            "tavily_api_key",
            "Tavily API key",
            r"\btvly-(?:dev-|prod-)?[A-Za-z0-9]{32}\b",
            &["tvly-"],
            48,
            "TAVILY_KEY",
        )
        .tp("TAVILY_API_KEY=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", "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")
        .tp("TAVILY_API_KEY=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", "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")
        .fp("TAVILY_API_KEY=tvly-YyLNtAR3iWE38Kfk")
        .fp("TAVILY_API_KEY=tvly-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        // Cohere (40 alphanumerics) and Mistral (32) keys have no prefix:
        // a vendor word must come first (gitleaks `cohere-api-token`;
        // Mistral's console issues 32-character keys).
        secret(
            "cohere_api_key",
            "Cohere API key",
            Severity::Critical,
            &near_word("cohere|\\bco_api", "[A-Za-z0-9]{40}"),
        )
        .keywords(&["cohere", "co_api"])
        .max_len(128)
        .validator(entropy(3.5))
        // A git commit or content hash beside the word is not a key.
        .allow_patterns(&["[0-9a-f]{40}", "[0-9A-F]{40}"])
        .label("COHERE_KEY")
        .tp("COHERE_API_KEY=JA3MerAgS6pQhRPSDKOEzHShCMDT3fyA29gHuzdp", "JA3MerAgS6pQhRPSDKOEzHShCMDT3fyA29gHuzdp")
        .tp("co = cohere.ClientV2(api_key=\"TTo0Am5OsSgN6vEeVkcKcypMW0GRdVnygDYLZUea\")", "TTo0Am5OsSgN6vEeVkcKcypMW0GRdVnygDYLZUea")
        .fp("COHERE_API_KEY=your-cohere-api-key")
        .fp("cohere commit d7b8d7b59022111bf8d1fea11d1feb2b3e3e606c"),
        secret(
            "mistral_api_key",
            "Mistral API key",
            Severity::Critical,
            &near_word("mistral", "[A-Za-z0-9]{32}"),
        )
        .keywords(&["mistral"])
        .max_len(128)
        .validator(entropy(3.5))
        .allow_patterns(&["[0-9a-f]{32}", "[0-9A-F]{32}"])
        .label("MISTRAL_KEY")
        .tp("MISTRAL_API_KEY=YPd5holjMIJ8GTO6q0QwhEUyKL4V3VN2", "YPd5holjMIJ8GTO6q0QwhEUyKL4V3VN2")
        .tp("client = Mistral(api_key=\"M8Tb4VvAmknZgmSORgmvbj58D2Ev1aG3\")", "M8Tb4VvAmknZgmSORgmvbj58D2Ev1aG3")
        .fp("MISTRAL_API_KEY=<your-mistral-api-key>")
        .fp("mistral model hash 02a36f20487b9ce365656fc41c650d93"),
        // Cerebras Inference API keys: `csk-` and 48 lower-case alphanumerics
        // (Cerebras Cloud console and SDK docs).
        prefixed(
            "cerebras_api_key",
            "Cerebras API key",
            r"\bcsk-[a-z0-9]{48}\b",
            &["csk-"],
            56,
            "CEREBRAS_KEY",
        )
        .tp(
            "CEREBRAS_API_KEY=csk-rxruhaak6fttmf1abmock317yfakenhnhlzpuahb09x90ynx",
            "csk-rxruhaak6fttmf1abmock317yfakenhnhlzpuahb09x90ynx",
        )
        .tp(
            "client = Cerebras(api_key=\"csk-4yk69cuxr1q36ygrptcecn77j0mqik0i3gia37xflpc5owne\")",
            "csk-4yk69cuxr1q36ygrptcecn77j0mqik0i3gia37xflpc5owne",
        )
        .fp("CEREBRAS_API_KEY=csk-...")
        .fp("csk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        // Together AI API keys: `tgp_v1_` and about 43 URL-safe characters
        // (Together docs "Authentication").
        prefixed(
            "together_api_key",
            "Together AI API key",
            r"\b(?P<value>tgp_v1_[A-Za-z0-9_-]{40,64})(?:[^A-Za-z0-9_-]|$)",
            &["tgp_v1_"],
            80,
            "TOGETHER_KEY",
        )
        .tp(
            "TOGETHER_API_KEY=tgp_v1_uEzwe-cbXiz4TiuC0hvsbMhmc8IiNH_DFAKEMAhzYnn\n",
            "tgp_v1_uEzwe-cbXiz4TiuC0hvsbMhmc8IiNH_DFAKEMAhzYnn",
        )
        .tp(
            "client = Together(api_key=\"tgp_v1_ycQi3rtz7wj8-x7f7B2iMRuU3cTestOnlyajQMc7hgA\")",
            "tgp_v1_ycQi3rtz7wj8-x7f7B2iMRuU3cTestOnlyajQMc7hgA",
        )
        .fp("TOGETHER_API_KEY=tgp_v1_<key>")
        .fp("tgp_v1_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        // Langfuse API key pairs: public `pk-lf-` and secret `sk-lf-`, each a UUID
        // after the prefix (Langfuse docs "Authentication"); only the secret half
        // is reported.
        prefixed(
            "langfuse_secret_key",
            "Langfuse secret key",
            r"\bsk-lf-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
            &["sk-lf-"],
            48,
            "LANGFUSE_KEY",
        )
        .tp(
            "LANGFUSE_SECRET_KEY=sk-lf-bd52f438-6f4f-42ca-a00d-0e80f6d436bd",
            "sk-lf-bd52f438-6f4f-42ca-a00d-0e80f6d436bd",
        )
        .tp(
            "Langfuse(public_key=\"pk-lf-67f4c54a-111b-430d-bdec-5cbe4df49d6b\", secret_key=\"sk-lf-71e392e7-8806-4fb7-99a0-e14342d073c8\")",
            "sk-lf-71e392e7-8806-4fb7-99a0-e14342d073c8",
        )
        .fp("LANGFUSE_SECRET_KEY=sk-lf-...")
        .fp("LANGFUSE_PUBLIC_KEY=pk-lf-7cbd7411-2611-4820-854b-a307f746db82"),
        // DeepSeek and Alibaba DashScope (Qwen) API keys: `sk-` and 32 hex
        // (DeepSeek and DashScope API docs). `sk-` + 32 hex alone is too plain a
        // shape, so a provider word must come first.
        secret(
            "deepseek_api_key",
            "DeepSeek or DashScope API key",
            Severity::Critical,
            &near_word(r"deepseek|dashscope", r"sk-[a-f0-9]{32}"),
        )
        .keywords(&["deepseek", "dashscope"])
        .max_len(160)
        .validator(entropy(3.0))
        .label("DEEPSEEK_KEY")
        .tp(
            "DEEPSEEK_API_KEY=sk-cb2bcb341e0b7749b4c6f18027e40188",
            "sk-cb2bcb341e0b7749b4c6f18027e40188",
        )
        .tp(
            "DASHSCOPE_API_KEY=sk-0f180f2e5ed3c1b97921b6a7844a7c57 python qwen_chat.py",
            "sk-0f180f2e5ed3c1b97921b6a7844a7c57",
        )
        .fp("DEEPSEEK_API_KEY=sk-<key>")
        .fp("deepseek: sk-00000000000000000000000000000000"),
        // ElevenLabs API keys: `sk_` and 48 hex (ElevenLabs docs "Authentication",
        // header `xi-api-key`). The shape is its own evidence: `sk_` starting a
        // word and exactly 48 lower-case hex digits after it (Stripe's `sk_`
        // keys go on with `live_` or `test_`), so no provider word is needed.
        // `sk_` also ends identifiers (`task_`, `disk_`): those open a window
        // but never match, as the match must start a word.
        secret(
            "elevenlabs_api_key",
            "ElevenLabs API key",
            Severity::Critical,
            r"\b(?P<value>sk_[a-f0-9]{48})(?:[^A-Za-z0-9_-]|$)",
        )
        .keywords(&["sk_"])
        .max_len(160)
        .validator(entropy(3.0))
        .label("ELEVENLABS_KEY")
        .tp(
            "ELEVENLABS_API_KEY=sk_1b83b4859770fbe579bc7dd0c76731ece1881d38f555e1e9",
            "sk_1b83b4859770fbe579bc7dd0c76731ece1881d38f555e1e9",
        )
        .tp(
            "curl -H 'xi-api-key: sk_a4148f253b3383926644e4755d7f7b49778b3215081f453a' https://api.elevenlabs.io/v1/voices",
            "sk_a4148f253b3383926644e4755d7f7b49778b3215081f453a",
        )
        .tp(
            "voice = generate(text, key=\"sk_0c3f5a9e1d7b24680fedcba9876543210aa55bb66cc77dd8\")",
            "sk_0c3f5a9e1d7b24680fedcba9876543210aa55bb66cc77dd8",
        )
        .fp("ELEVENLABS_API_KEY=sk_...")
        .fp("elevenlabs task_0927e87576886900841d4d83843683e1b90fb726e9ef2c0d")
        .fp("sk_0927e87576886900841d4d83843683e1b90fb726e9ef2c0d1")
        .fp("STRIPE_SECRET=sk_test_4eC39HqLyjWDarjtT1zdp7dc"),
        // Weights & Biases API keys: 40 hex (`wandb login`, W&B docs
        // "Authentication"); found after a W&B word.
        secret(
            "wandb_api_key",
            "Weights & Biases API key",
            Severity::Critical,
            &near_word("wandb", "[a-f0-9]{40}"),
        )
        .keywords(&["wandb"])
        .max_len(128)
        .validator(entropy(3.0))
        .label("WANDB_KEY")
        .tp("wandb login 1bd38f1f34920fbd01f40072e3cf347862554017", "1bd38f1f34920fbd01f40072e3cf347862554017")
        .tp("os.environ[\"WANDB_API_KEY\"] = \"cdf83fd989e60f210402362d53c9efc6d892aa68\"", "cdf83fd989e60f210402362d53c9efc6d892aa68")
        .fp("WANDB_API_KEY=0000000000000000000000000000000000000000")
        .fp("wandb run abc123 finished"),
        // Kaggle API keys: 32 hex, the `key` of `kaggle.json` (Kaggle API
        // docs); found after a Kaggle word.
        secret(
            "kaggle_api_key",
            "Kaggle API key",
            Severity::Critical,
            &near_word("kaggle", "[a-f0-9]{32}"),
        )
        .keywords(&["kaggle"])
        .max_len(128)
        .validator(entropy(3.0))
        .label("KAGGLE_KEY")
        .tp("KAGGLE_KEY=bfcc8c928344b16103485a1c292be01e", "bfcc8c928344b16103485a1c292be01e")
        .tp(
            r#"~/.kaggle/kaggle.json: {"username": "ana", "key": "4fc2d031c41885221c25f6aaf76fdc6c"}"#,
            "4fc2d031c41885221c25f6aaf76fdc6c",
        )
        .fp("KAGGLE_KEY=<your-key>")
        .fp("kaggle competitions download -c titanic"),
        // Helicone API keys: `sk-helicone-` and dash-separated groups
        // (Helicone docs "Helicone-Auth header").
        prefixed(
            "helicone_api_key",
            "Helicone API key",
            r"\bsk-helicone-[a-z0-9]{7}(?:-[a-z0-9]{7}){3}\b",
            &["sk-helicone-"],
            48,
            "HELICONE_KEY",
        )
        .tp("HELICONE_API_KEY=sk-helicone-x3lgk9r-shx7qak-sr2o0qv-la94lcb", "sk-helicone-x3lgk9r-shx7qak-sr2o0qv-la94lcb")
        .tp(
            "default_headers={\"Helicone-Auth\": \"Bearer sk-helicone-1ynziht-gvtn3p8-rzgibh6-bit0h2r\"}",
            "sk-helicone-1ynziht-gvtn3p8-rzgibh6-bit0h2r",
        )
        .fp("HELICONE_API_KEY=sk-helicone-...")
        .fp("sk-helicone-xxxxxxx-xxxxxxx-xxxxxxx-xxxxxxx"),
        // Jina AI API keys: `jina_` and about 60 alphanumerics (Jina AI
        // docs, `Authorization: Bearer jina_…`).
        prefixed(
            "jina_api_key",
            "Jina AI API key",
            r"\bjina_[A-Za-z0-9]{40,80}\b",
            &["jina_"],
            96,
            "JINA_KEY",
        )
        .tp(
            "JINA_API_KEY=jina_474f2a7dccc06616cd334b459e42220dXZY7rzsj6HoV5D0bA2DAzqx2T4Rc",
            "jina_474f2a7dccc06616cd334b459e42220dXZY7rzsj6HoV5D0bA2DAzqx2T4Rc",
        )
        .tp(
            "curl https://r.jina.ai/https://example.com -H 'Authorization: Bearer jina_37913993ed6da209da99098b260ff3ac7X6Qd4VKW0y1tpQP3JTkLoaz48Fc'",
            "jina_37913993ed6da209da99098b260ff3ac7X6Qd4VKW0y1tpQP3JTkLoaz48Fc",
        )
        .fp("JINA_API_KEY=jina_<your-key>")
        .fp("from jina_embeddings_v3_long_context_models import Encoder"),
    ]
}
