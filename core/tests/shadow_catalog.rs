//! The built-in catalog's breadth and precision, through the public API:
//! popular sites that are not AI tools must stay `not_ai`, and the URL forms
//! people and proxies actually log for catalogued vendors (bare host, `www.`,
//! a subdomain, a path with a query, odd case and ports) must be recognised.

#![allow(clippy::unwrap_used)]

use govstream::shadow::{AiToolStatus, Catalog, Classifier, ToolCategory};

fn classifier() -> Classifier {
    Classifier::new(Catalog::builtin(), &[], &[]).unwrap()
}

#[path = "shadow_catalog/ai_domains.rs"]
mod ai_domains;
#[path = "shadow_catalog/ai_hosts.rs"]
mod ai_hosts;
#[path = "shadow_catalog/not_ai.rs"]
mod not_ai;

use ai_domains::AI_DOMAINS;
use ai_hosts::AI_HOSTS;
use not_ai::POPULAR_NOT_AI;

fn is_ai(c: &Classifier, input: &str) -> bool {
    c.classify(input).status == AiToolStatus::UnknownAi
}

#[test]
fn popular_sites_are_not_ai() {
    let c = classifier();
    assert!(POPULAR_NOT_AI.len() >= 150, "{}", POPULAR_NOT_AI.len());
    let mut flagged = Vec::new();
    for host in POPULAR_NOT_AI {
        for input in [
            host.to_string(),
            format!("https://{host}/search?q=chatgpt+alternatives"),
            format!("https://www.{host}/"),
        ] {
            let r = c.classify(&input);
            if r.status != AiToolStatus::NotAi {
                flagged.push(format!("{input} -> {:?}", r.tool));
            }
        }
    }
    assert!(flagged.is_empty(), "flagged: {flagged:#?}");
}

#[test]
fn vendor_domains_are_ai_in_every_url_form() {
    let c = classifier();
    let mut missed = Vec::new();
    for domain in AI_DOMAINS {
        for input in [
            domain.to_string(),
            format!("www.{domain}"),
            format!("https://{domain}/chat/123?prompt=secret"),
            format!("https://app.{domain}/"),
            format!("HTTPS://WWW.{}:443/", domain.to_uppercase()),
        ] {
            if !is_ai(&c, &input) {
                missed.push(input);
            }
        }
    }
    for host in AI_HOSTS {
        for input in [
            host.to_string(),
            format!("https://{host}/v1/chat/completions?key=secret"),
            format!("{host}."),
        ] {
            if !is_ai(&c, &input) {
                missed.push(input);
            }
        }
    }
    assert!(missed.is_empty(), "missed: {missed:#?}");
}

#[test]
fn cloud_model_endpoints_are_model_apis_in_every_region() {
    let c = classifier();
    for input in [
        "https://my-resource.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
        "gov-resource.openai.azure.us",
        "https://bedrock-runtime.eu-west-3.amazonaws.com/model/x/invoke",
        "bedrock-runtime.ap-south-1.amazonaws.com",
        "bedrock-agent-runtime.us-east-1.amazonaws.com",
        "bedrock-runtime-fips.us-gov-west-1.amazonaws.com",
        "https://europe-west4-aiplatform.googleapis.com/v1/projects/p/locations/europe-west4/publishers/google/models/gemini:generateContent",
        "us-central1-aiplatform.googleapis.com",
        "123.us-central1-456.prediction.vertexai.goog",
        "https://gateway.ai.cloudflare.com/v1/acct/gw/openai/chat/completions",
        "x.endpoints.huggingface.cloud",
        "model-abc.api.baseten.co",
        "queue.fal.run",
        "inference.generativeai.eu-frankfurt-1.oci.oraclecloud.com",
    ] {
        let r = c.classify(input);
        assert_eq!(r.category, Some(ToolCategory::ModelApi), "{input}: {r:?}");
    }
}

#[test]
fn alternate_domains_name_the_same_tool() {
    let c = classifier();
    for (input, tool) in [
        ("chat.com", "ChatGPT"),
        ("https://files.oaiusercontent.com/file-1?se=x", "ChatGPT"),
        ("https://claude.com/product", "Claude"),
        ("gemini.google", "Gemini"),
        ("https://ai.dev/prompts", "Google AI Studio"),
        ("c.ai", "Character.AI"),
        ("pplx.ai", "Perplexity"),
        ("kimi.ai", "Kimi"),
        ("https://www.tongyi.com/qianwen", "Qwen Chat"),
        ("chat.qwenlm.ai", "Qwen Chat"),
        ("heypi.com", "Pi"),
        ("www.ciciai.com", "Doubao"),
        ("gptengineer.app", "Lovable"),
        ("api2.cursor.sh", "Cursor"),
        ("api.cursorapi.com", "Cursor"),
        ("origin-tracker.githubusercontent.com", "GitHub Copilot"),
    ] {
        assert_eq!(c.classify(input).tool.as_deref(), Some(tool), "{input}");
    }
}
