//! The `scan` command's output line, serialized straight from the scan
//! report: building a `serde_json::Value` map per match (nine keys, each an
//! allocation) and then writing it cost more than the writing. Other tools
//! read these lines, so the fields and their order are the ones those maps
//! wrote: keys in alphabetical order, the optional ones only when set.

use govstream::policy::{MatchInfo, ScanReport};
use govstream::schema::{Category, Severity};
use serde::{Serialize, Serializer};
use serde_json::Value;

/// One output line of `govstream scan`.
#[derive(Serialize)]
pub(crate) struct ScanLine<'a> {
    id: &'a Value,
    #[serde(serialize_with = "matches")]
    matches: &'a [MatchInfo],
    #[serde(skip_serializing_if = "Option::is_none")]
    omitted_matches: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scan_truncated: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scanned_length: Option<usize>,
}

impl<'a> ScanLine<'a> {
    /// The line for the input `id` and its report.
    pub(crate) fn new(id: &'a Value, report: &'a ScanReport) -> Self {
        ScanLine {
            id,
            matches: &report.matches,
            omitted_matches: (report.omitted_matches > 0).then_some(report.omitted_matches),
            scan_truncated: report.scan_truncated.then_some(true),
            scanned_length: report.scan_truncated.then_some(report.scanned_length),
        }
    }
}

/// One match: where and what, never the value.
#[derive(Serialize)]
struct ScanMatch<'a> {
    byte_end: usize,
    byte_start: usize,
    category: Category,
    end: usize,
    rule_id: &'a str,
    severity: Severity,
    start: usize,
    utf16_end: usize,
    utf16_start: usize,
}

impl<'a> From<&'a MatchInfo> for ScanMatch<'a> {
    fn from(m: &'a MatchInfo) -> Self {
        ScanMatch {
            byte_end: m.span.byte_end,
            byte_start: m.span.byte_start,
            category: m.category,
            end: m.span.end,
            rule_id: &m.rule_id,
            severity: m.severity,
            start: m.span.start,
            utf16_end: m.span.utf16_end,
            utf16_start: m.span.utf16_start,
        }
    }
}

fn matches<S: Serializer>(matches: &&[MatchInfo], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(matches.iter().map(ScanMatch::from))
}

#[cfg(test)]
mod tests {
    use super::ScanLine;
    use govstream::policy::Policy;
    use serde_json::{Value, json};

    /// The line the `Value` maps gave, for comparison.
    fn as_value_maps(id: &Value, report: &govstream::policy::ScanReport) -> Value {
        let matches: Vec<Value> = report
            .matches
            .iter()
            .map(|m| {
                json!({
                    "rule_id": m.rule_id,
                    "category": m.category,
                    "severity": m.severity,
                    "start": m.span.start,
                    "end": m.span.end,
                    "byte_start": m.span.byte_start,
                    "byte_end": m.span.byte_end,
                    "utf16_start": m.span.utf16_start,
                    "utf16_end": m.span.utf16_end,
                })
            })
            .collect();
        let mut record = json!({"id": id, "matches": matches});
        if report.omitted_matches > 0 {
            record["omitted_matches"] = json!(report.omitted_matches);
        }
        if report.scan_truncated {
            record["scan_truncated"] = json!(true);
            record["scanned_length"] = json!(report.scanned_length);
        }
        record
    }

    #[test]
    fn writes_the_bytes_the_value_maps_wrote() -> Result<(), Box<dyn std::error::Error>> {
        let limited =
            Policy::from_json(r#"{"limits": {"max_matches": 1, "max_scan_bytes": 1024}}"#)?;
        let text = "mail jane@acme.com or 👋 bob@acme.org, key AKIAIOSFODNN7EXAMPLE";
        let long = format!("{text} {}", "x".repeat(2000));
        for policy in [Policy::default_policy()?, limited] {
            for text in ["", "nothing here", text, long.as_str()] {
                for id in [
                    json!(null),
                    json!(7),
                    json!(1.5),
                    json!("a\"b"),
                    json!({"k": [1]}),
                ] {
                    let report = policy.scan(text);
                    assert_eq!(
                        serde_json::to_string(&ScanLine::new(&id, &report))?,
                        serde_json::to_string(&as_value_maps(&id, &report))?,
                    );
                }
            }
        }
        Ok(())
    }
}
