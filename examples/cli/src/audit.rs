//! `govstream audit keycloak FILE`: Keycloak event log lines to `AuditEvent`
//! records (`Auth:SuccessfulLogin`, `Auth:LoginFailure`, `Auth:Logout`; a
//! refused logout, `LOGOUT_ERROR`, is `Auth:Logout` with `outcome: failure`
//! in its metadata), one JSON line each, as the core maps them; unknown
//! types, malformed and cut lines become the core's
//! `LineProblem` (`{"line", "kind", "detail", "error", "text_excerpt"}`),
//! never dropped silently.

use govstream::audit::{KeycloakLine, KeycloakOptions, read_keycloak_line};
use serde_json::Value;
use std::io::BufRead;

/// What a Keycloak run produced.
pub(crate) struct Outcome {
    pub(crate) lines: Vec<Value>,
    pub(crate) events: usize,
    pub(crate) problems: usize,
    pub(crate) skipped: usize,
}

pub(crate) fn keycloak(
    path: &str,
    utc_offset: Option<&str>,
    org_id: Option<&str>,
) -> Result<Outcome, String> {
    let mut options = KeycloakOptions::new();
    if let Some(offset) = utc_offset {
        options = options
            .with_utc_offset(offset)
            .map_err(|e| format!("invalid --utc-offset: {e}"))?;
    }
    if let Some(org) = org_id {
        options = options.with_org_id(org);
    }
    let reader: Box<dyn BufRead> = match path {
        "-" => Box::new(std::io::BufReader::new(std::io::stdin())),
        p => Box::new(std::io::BufReader::new(
            std::fs::File::open(p).map_err(|e| format!("cannot read {p}: {e}"))?,
        )),
    };
    let mut out = Outcome {
        lines: Vec::new(),
        events: 0,
        problems: 0,
        skipped: 0,
    };
    for (i, line) in reader.split(b'\n').enumerate() {
        let bytes = line.map_err(|e| format!("cannot read {path}: {e}"))?;
        match read_keycloak_line(i + 1, &bytes, &options) {
            KeycloakLine::Event(event) => {
                out.events += 1;
                out.lines.push(
                    serde_json::to_value(govstream::schema::Record::from(*event))
                        .unwrap_or(Value::Null),
                );
            }
            // The core's one problem shape, as every binding prints it.
            KeycloakLine::Problem(problem) => {
                out.problems += 1;
                out.lines
                    .push(serde_json::to_value(&problem).unwrap_or(Value::Null));
            }
            KeycloakLine::Skipped => out.skipped += 1,
            KeycloakLine::Blank => {}
        }
    }
    Ok(out)
}
