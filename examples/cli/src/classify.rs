//! `govstream classify`: is this URL or host an AI tool, and may it be used?
//! One JSON line per input with exactly `input`, `host`, `status`, `tool`,
//! `vendor`, `category`, `severity` (unknown values are `null`).

use govstream::policy::Policy;
use govstream::shadow::{Catalog, Classifier};
use serde_json::{Value, json};
use std::io::BufRead;

/// The classifier for a policy (its approved and blocked lists), with the
/// built-in catalog extended by `catalog` when given.
pub(crate) fn classifier(policy: &Policy, catalog: Option<&str>) -> Result<Classifier, String> {
    let mut all = Catalog::builtin();
    if let Some(path) = catalog {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read catalog {path}: {e}"))?;
        let extra =
            Catalog::from_json(&text).map_err(|e| format!("invalid catalog {path}: {e}"))?;
        all.extend(extra);
    }
    Classifier::from_policy_with(policy, all).map_err(|e| format!("invalid policy: {e}"))
}

/// The output line for one input.
pub(crate) fn line(classifier: &Classifier, input: &str) -> Value {
    let c = classifier.classify(input);
    json!({
        "input": c.input,
        "host": c.host,
        "status": c.status,
        "tool": c.tool,
        "vendor": c.vendor,
        "category": c.category,
        "severity": c.severity,
    })
}

/// The inputs: the arguments, or standard input one per line when there
/// are none or the only one is `-`.
pub(crate) fn inputs(args: &[String]) -> Box<dyn Iterator<Item = Result<String, String>>> {
    if args.is_empty() || args == ["-"] {
        Box::new(
            std::io::stdin()
                .lock()
                .lines()
                .map(|l| l.map_err(|e| format!("cannot read input: {e}")))
                .filter(|l| l.as_ref().map_or(true, |s| !s.trim().is_empty()))
                .collect::<Vec<_>>()
                .into_iter(),
        )
    } else {
        Box::new(
            args.iter()
                .cloned()
                .map(Ok::<String, String>)
                .collect::<Vec<_>>()
                .into_iter(),
        )
    }
}
