//! Inputs for the govstream benchmarks: prose with no findings, source code,
//! and text dense with findings, built to any size from fixed material so
//! every run measures the same bytes.

pub mod real_text;

/// English prose about ordinary work, without secrets or personal data.
const PROSE: &str = "The quarterly planning meeting ran long because the team wanted to revisit \
the roadmap before committing to new work. Several people argued that the migration should \
come first, since the old reporting service is slow and hard to maintain. Others pointed out \
that customers have been asking for better search, and that a small improvement there would \
be visible right away. In the end we agreed to split the effort: one group will draft a \
design for the migration while another prototypes the search changes. We will review both \
next week and decide which one ships first. Please read the background notes before then, \
and bring questions about scope, staffing and risks. It would also help to summarise what \
we learned from the last release, what went well, and what we would do differently. ";

/// Source code with identifiers, strings and numbers, but no credentials.
const CODE: &str = r#"def load_config(path: str) -> dict:
    """Read the service configuration and apply defaults."""
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    timeout = int(raw.get("timeout_seconds", 30))
    retries = max(0, int(raw.get("retries", 3)))
    for key, value in sorted(raw.items()):
        if key.startswith("feature_"):
            flags[key[8:]] = bool(value)
    return {"timeout": timeout, "retries": retries, "flags": flags}

fn parse_header(line: &str) -> Option<(String, String)> {
    let (name, value) = line.split_once(':')?;
    Some((name.trim().to_lowercase(), value.trim().to_string()))
}
"#;

/// A support ticket full of findings of every pack.
const DENSE: &str = "Customer jane.doe@example.com (phone +1 415-555-0134, SSN 123-45-6789) \
paid with 4111 1111 1111 1111 and asked us to wire to GB82 WEST 1234 5698 7654 32. \
The deploy script still has AKIAIOSFODNN7EXAMPLE and ghp_abcdefghijklmnopqrstuvwxyz0123456789 \
and connects to postgres://admin:s3cr3tP4ss@db.internal:5432/app from 10.20.30.40. ";

fn repeat_to(material: &str, bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + material.len());
    while s.len() < bytes {
        s.push_str(material);
    }
    let mut end = bytes.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    s
}

/// `bytes` of prose.
pub fn prose(bytes: usize) -> String {
    repeat_to(PROSE, bytes)
}

/// `bytes` of source code.
pub fn code(bytes: usize) -> String {
    repeat_to(CODE, bytes)
}

/// `bytes` of text dense with findings.
pub fn dense(bytes: usize) -> String {
    repeat_to(DENSE, bytes)
}

/// `n` realistic records (events and their DLP matches) from evaluating a
/// rotating set of prompts with the default policy.
pub fn records(n: usize) -> Vec<govstream::schema::Record> {
    let Ok(policy) = govstream::policy::Policy::default_policy() else {
        return Vec::new();
    };
    let prompts = [
        "Summarise this meeting transcript in five bullet points for the leadership update.",
        "Draft a reply to jane.doe@example.com about the refund; her phone is +1 (415) 555-0134.",
        "Why does my deploy fail? aws_access_key_id = AKIAIOSFODNN7EXAMPLE region = eu-west-1",
        "Customer says card 4111 1111 1111 1111 was charged twice. Write an apology.",
        "Convert this SQL to a Django ORM query: SELECT name FROM orders WHERE total > 10;",
    ];
    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    while out.len() < n {
        let prompt = prompts[i % prompts.len()];
        out.extend(
            policy
                .evaluate(prompt, &govstream::policy::EvaluationContext::default())
                .records(),
        );
        i += 1;
    }
    out.truncate(n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpora_have_the_requested_size() {
        assert_eq!(prose(1024).len(), 1024);
        assert_eq!(code(65536).len(), 65536);
        assert_eq!(dense(1024).len(), 1024);
    }
}
