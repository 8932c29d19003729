//! Azure keys whose shape alone says little: Azure DevOps personal access
//! tokens, Microsoft's identifiable 84-character keys, and Azure OpenAI /
//! AI Search keys (32 hex). The storage and Service Bus keys, whose
//! connection strings name them, stay in `cloud.rs`.

use super::{ASSIGN, entropy, secret, token_entropy};
use crate::dlp::RuleSpec;
use crate::schema::Severity;

/// Words that put a bare 52-character base32 string in Azure DevOps'
/// hands: the product's names, its hosts, and the variable names its docs
/// and CLI use (`AZURE_DEVOPS_EXT_PAT`, `SYSTEM_ACCESSTOKEN`).
const DEVOPS_WORDS: &[&str] = &[
    "devops",
    "azdo",
    "ado_",
    "ado-",
    "vsts",
    "dev.azure.com",
    "visualstudio.com",
    "system_accesstoken",
];

/// Words that place a 32-hex key at an Azure OpenAI or AI Search (and
/// other Cognitive Services) endpoint: host names, SDK names and the
/// environment variables of Microsoft's quickstarts.
const AZURE_AI_WORDS: &[&str] = &[
    "openai.azure.com",
    "azure_openai",
    "azureopenai",
    "azure-openai",
    "search.windows.net",
    "azure_search",
    "azuresearch",
    "azure-search",
    "cognitiveservices",
    "cognitive_services",
    "azure_ai",
    "azurekeycredential",
    "ocp-apim-subscription-key",
];

/// This group's rules.
pub(super) fn rules() -> Vec<RuleSpec> {
    vec![
        // Classic Azure DevOps PATs: 52 characters of lower-case RFC 4648
        // base32 (Azure DevOps docs "Use personal access tokens"; the
        // release note for sprint 241 gives 52 as the old length). Nothing in
        // the token says Azure, so a DevOps word must be near.
        secret(
            "azure_devops_pat",
            "Azure DevOps personal access token",
            Severity::Critical,
            r"\b(?P<value>[a-z2-7]{52})\b",
        )
        .keywords(DEVOPS_WORDS)
        .max_len(200)
        .validator(entropy(3.8))
        .context_required(DEVOPS_WORDS, 200)
        .label("AZURE_DEVOPS_PAT")
        .tp(
            "AZURE_DEVOPS_EXT_PAT=fakeq7x2ml4bnc3rtz5wkp6dvh2jy7sgao4eiu3fl5rnx2kt6mwb",
            "fakeq7x2ml4bnc3rtz5wkp6dvh2jy7sgao4eiu3fl5rnx2kt6mwb",
        )
        .tp(
            "git clone https://pat:testq7x2ml4bnc3rtz5wkp6dvh2jy7sgao4eiu3fl5rnx2kt6mwb@dev.azure.com/org/proj/_git/repo",
            "testq7x2ml4bnc3rtz5wkp6dvh2jy7sgao4eiu3fl5rnx2kt6mwb",
        )
        .fp("AZURE_DEVOPS_EXT_PAT=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
        .fp("sha256 fakeq7x2ml4bnc3rtz5wkp6dvh2jy7sgao4eiu3fl5rnx2kt6mwb of the release")
        .fp("devops ticket: thequickbrownfoxjumpsoverthelazydogthequickbrownfoxjum"),
        // Microsoft's identifiable keys (the "common annotated security
        // key" format of github.com/microsoft/security-utilities): 84
        // characters, 52 random, then the `JQQJ` signature at offset 52 and,
        // at offset 76, a provider signature such as `AZDO` (Azure DevOps
        // PATs since 2024, Azure DevOps release notes, sprint 241) or
        // `ACOG` (Azure AI services keys). The signature is not checked
        // against a list, so providers added later are found too. Azure AI
        // Search's identifiable keys are the older 52-character layout of
        // the same library: 42 random, `AzSe`, a kind letter `A`–`D`, 5 more.
        secret(
            "azure_identifiable_key",
            "Microsoft identifiable key (Azure DevOps PAT, Azure AI services key)",
            Severity::Critical,
            r"\b(?P<value>[0-9A-Za-z]{52}JQQJ[0-9A-Za-z]{28}|[0-9A-Za-z]{42}AzSe[A-D][0-9A-Za-z]{5})\b",
        )
        .keywords(&["jqqj", "azse"])
        .max_len(96)
        .validator(token_entropy(3.5))
        .label("AZURE_KEY")
        .tp(
            "AZURE_DEVOPS_PAT=FAKEol081crwkIHWJH2yiqDDyrFjVSi7HWl22hN2hTYfsB8NlGDpJQQJ99BAACAAAAAAAAAAAAASAZDOBucT",
            "FAKEol081crwkIHWJH2yiqDDyrFjVSi7HWl22hN2hTYfsB8NlGDpJQQJ99BAACAAAAAAAAAAAAASAZDOBucT",
        )
        .tp(
            r#"AZURE_OPENAI_KEY="TestOnlyBxltXe1pEbaCNEuoU7D4mFZDw6WvXhwjViwZl0ABhsTbJQQJ99BAACYeBjFXJ3w3AAAAACOGqEFY""#,
            "TestOnlyBxltXe1pEbaCNEuoU7D4mFZDw6WvXhwjViwZl0ABhsTbJQQJ99BAACYeBjFXJ3w3AAAAACOGqEFY",
        )
        .tp(
            "AZURE_SEARCH_ADMIN_KEY=FAKEexampleDKRYfmt07CJQXelsz6BIPWdkry5AHOVAzSeCq4Tx9",
            "FAKEexampleDKRYfmt07CJQXelsz6BIPWdkry5AHOVAzSeCq4Tx9",
        )
        .fp("AZURE_DEVOPS_PAT=FAKEol081crwkIHWJH2yiqDDyrFjVSi7HWl22hN2hTYfsB8NlGDpJQQJ99BAACAAAAAAAAAAAAASAZDOBucTx")
        .fp("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJQQJ99BAACAAAAAAAAAAAAASAZDOAAAA"),
        // Azure OpenAI and Azure AI Search keys are 32 hex characters
        // (Azure OpenAI "Keys and Endpoint", Azure AI Search "Connect with
        // API keys": sent as the `api-key` header). Only the endpoint or
        // SDK nearby tells them from any other 32-hex value.
        secret(
            "azure_ai_services_key",
            "Azure OpenAI / AI Search key",
            Severity::Critical,
            &format!(
                r"(?i)(?:(?:api[_-]?key|(?:openai|search|admin|query|cognitive|subscription|azure)[_-]?(?:api[_-]?|admin[_-]?|query[_-]?)?key|key[12]){ASSIGN}|azurekeycredential\([ \t]*[\x22']?)(?P<value>[0-9a-f]{{32}})\b"
            ),
        )
        // Every spelling the pattern allows holds one of these (a test reads
        // them against the pattern, `dlp/start_facts.rs`).
        .keywords(&[
            "api_key",
            "api-key",
            "apikey",
            "openaikey",
            "openai_key",
            "openai-key",
            "searchkey",
            "search_key",
            "search-key",
            "adminkey",
            "admin_key",
            "admin-key",
            "querykey",
            "query_key",
            "query-key",
            "cognitivekey",
            "cognitive_key",
            "cognitive-key",
            "subscriptionkey",
            "subscription_key",
            "subscription-key",
            "azurekey",
            "azure_key",
            "azure-key",
            "key1",
            "key2",
            "azurekeycredential",
        ])
        .max_len(128)
        .validator(entropy(3.0))
        .context_required(AZURE_AI_WORDS, 256)
        .label("AZURE_AI_KEY")
        .tp(
            r#"client = AzureOpenAI(azure_endpoint="https://fake.openai.azure.com", api_key="fa4edeadbeef3a18f6d4b2907e5c3a18")"#,
            "fa4edeadbeef3a18f6d4b2907e5c3a18",
        )
        .tp(
            "AZURE_SEARCH_ADMIN_KEY=0123cafe38d27c16b05af49e38d27c16\nAZURE_SEARCH_ENDPOINT=https://fake.search.windows.net",
            "0123cafe38d27c16b05af49e38d27c16",
        )
        .tp(
            r#"credential = AzureKeyCredential("0123cafe38d27c16b05af49e38d27c16")"#,
            "0123cafe38d27c16b05af49e38d27c16",
        )
        .tp(
            "- name: AZURE_OPENAI_API_KEY\n  value: \"fa4edeadbeef3a18f6d4b2907e5c3a18\"\n- name: AZURE_OPENAI_ENDPOINT\n  value: https://fake.openai.azure.com/",
            "fa4edeadbeef3a18f6d4b2907e5c3a18",
        )
        .fp("api_key: fa4edeadbeef3a18f6d4b2907e5c3a18")
        .fp("AZURE_OPENAI_API_KEY=00000000000000000000000000000000 # openai.azure.com")
        .fp("AZURE_OPENAI_DEPLOYMENT=gpt-4o  # openai.azure.com, build fa4edeadbeef3a18f6d4b2907e5c3a18"),
    ]
}
