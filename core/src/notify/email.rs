//! Alerts as email: an RFC 5322 message the host hands to its mail system
//! as it is. Lines end in CRLF and stay within 78 characters where the
//! format allows (998 always); a subject that is not plain ASCII becomes
//! RFC 2047 encoded words; a body that is not plain ASCII is
//! quoted-printable (RFC 2045 §6.7). Sending is the host's job.

use super::EmailMessage;
use super::content::{Content, one_line};
use crate::base64;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc2822;

/// Header lines are folded to stay within this many characters (RFC 5322
/// §2.1.1 recommends 78).
const LINE_GOAL: usize = 78;
/// Bytes of UTF-8 per encoded word: base64 of 39 bytes is 52 characters,
/// so `=?UTF-8?B?…?=` is 64, and `Subject: ` plus one word stays under 76
/// (RFC 2047 §2).
const WORD_BYTES: usize = 39;
/// The longest line RFC 5322 §2.1.1 allows, without its CRLF.
const MAX_LINE: usize = 998;

/// A plain `local@domain` address: dot-atom local part (RFC 5322 §3.2.3)
/// and a host name. Display names and quoted local parts are left out on
/// purpose: they are where header injection hides.
pub(super) fn valid_address(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let atext = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b);
    let local_ok = (1..=64).contains(&local.len())
        && local
            .split('.')
            .all(|a| !a.is_empty() && a.bytes().all(atext));
    let domain_ok = (1..=253).contains(&domain.len())
        && domain.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    local_ok && domain_ok
}

/// `Subject: …` folded, as one or more CRLF-terminated lines.
fn subject_header(subject: &str) -> String {
    // `=?` in plain text could be read as the start of an encoded word.
    if subject.is_ascii() && !subject.contains("=?") {
        return fold("Subject:", subject.split(' '), " ");
    }
    let mut words = Vec::new();
    let mut start = 0;
    let mut end = 0;
    for (i, c) in subject.char_indices() {
        if i + c.len_utf8() - start > WORD_BYTES {
            words.push(subject.get(start..end).unwrap_or_default());
            start = i;
        }
        end = i + c.len_utf8();
    }
    words.push(subject.get(start..end).unwrap_or_default());
    let encoded: Vec<String> = words
        .iter()
        .map(|w| format!("=?UTF-8?B?{}?=", base64::encode(w.as_bytes())))
        .collect();
    // Whitespace between encoded words is not displayed (RFC 2047 §6.2),
    // so every word can start its own line.
    let mut out = format!("Subject: {}", encoded.join("\r\n "));
    out.push_str("\r\n");
    out
}

/// `name` and `parts` joined by `sep`, with a fold (CRLF before the
/// separator's whitespace) wherever a line would pass [`LINE_GOAL`].
fn fold<'a>(name: &str, parts: impl Iterator<Item = &'a str>, sep: &str) -> String {
    let mut out = String::from(name);
    let mut line_len = name.len();
    let mut first = true;
    for part in parts {
        let glue = if first { " " } else { sep };
        // Folding before an empty part would leave a line of only
        // whitespace, which RFC 5322 §3.2.2 forbids.
        let folds = !first && !part.is_empty() && line_len + glue.len() + part.len() > LINE_GOAL;
        if folds {
            // The separator's non-space part stays on the line it ends.
            let mark = glue.trim_end_matches(' ');
            out.push_str(mark);
            out.push_str("\r\n ");
            line_len = 1;
        } else {
            out.push_str(glue);
            line_len += glue.len();
        }
        out.push_str(part);
        line_len += part.len();
        first = false;
    }
    out.push_str("\r\n");
    out
}

/// One line as quoted-printable, with soft line breaks keeping every line
/// within 76 characters.
fn quoted_printable(line: &str) -> String {
    let bytes = line.as_bytes();
    let mut out = String::with_capacity(line.len() + 8);
    let mut col = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let last = i + 1 == bytes.len();
        let literal =
            ((b == b' ' || b == b'\t') && !last) || ((33..=126).contains(&b) && b != b'=');
        let piece = if literal {
            char::from(b).to_string()
        } else {
            format!("={b:02X}")
        };
        if col + piece.len() > 75 {
            out.push_str("=\r\n");
            col = 0;
        }
        out.push_str(&piece);
        col += piece.len();
    }
    out
}

fn body_lines(c: &Content, text: Option<&str>, source: &str) -> Vec<String> {
    let mut lines = vec![one_line(&c.title), String::new()];
    for f in &c.facts {
        lines.push(format!("{}: {}", f.label, f.value));
    }
    if let Some(text) = text {
        lines.push(String::new());
        lines.push("Redacted text:".to_owned());
        lines.extend(text.lines().map(|l| format!("  {}", one_line(l))));
    }
    lines.push(String::new());
    lines.push(format!(
        "Record: {} {} at {}",
        c.record_type, c.record_id, c.timestamp
    ));
    lines.push(format!("Alert rule: {}", c.rule_id));
    lines.push(String::new());
    lines.push(format!("Sent by {}.", one_line(source)));
    lines
}

fn rfc5322_date(now_ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp(now_ms.div_euclid(1000))
        .ok()
        .and_then(|t| t.format(&Rfc2822).ok())
        .unwrap_or_else(|| "Thu, 01 Jan 1970 00:00:00 +0000".to_owned())
}

/// Everything the email needs besides the content.
pub(super) struct Envelope<'a> {
    pub(super) from: &'a str,
    pub(super) to: &'a [String],
    pub(super) source: &'a str,
    /// Hex, unique per alert: the Message-ID's left part.
    pub(super) id_hex: &'a str,
    pub(super) now_ms: i64,
}

/// The alert as an email message.
pub(super) fn render(c: &Content, text: Option<&str>, env: &Envelope<'_>) -> EmailMessage {
    let subject = one_line(&format!("[{}] {}", env.source, c.title));
    let domain = env.from.rsplit_once('@').map_or("localhost", |(_, d)| d);
    let mut m = String::new();
    m.push_str(&format!("From: {}\r\n", env.from));
    m.push_str(&fold("To:", env.to.iter().map(String::as_str), ", "));
    m.push_str(&subject_header(&subject));
    m.push_str(&format!("Date: {}\r\n", rfc5322_date(env.now_ms)));
    m.push_str(&format!("Message-ID: <{}@{domain}>\r\n", env.id_hex));
    m.push_str("MIME-Version: 1.0\r\n");
    m.push_str("Content-Type: text/plain; charset=utf-8\r\n");
    // RFC 3834: marks the message as machine-sent so autoresponders stay quiet.
    let lines = body_lines(c, text, env.source);
    let plain = lines.iter().all(|l| l.is_ascii() && l.len() <= MAX_LINE);
    let (encoding, body): (&str, Vec<String>) = if plain {
        ("7bit", lines)
    } else {
        (
            "quoted-printable",
            lines.iter().map(|l| quoted_printable(l)).collect(),
        )
    };
    m.push_str(&format!("Content-Transfer-Encoding: {encoding}\r\n"));
    m.push_str("Auto-Submitted: auto-generated\r\n");
    m.push_str("\r\n");
    for line in body {
        m.push_str(&line);
        m.push_str("\r\n");
    }
    EmailMessage {
        from: env.from.to_owned(),
        to: env.to.to_vec(),
        subject,
        message: m,
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Decodes quoted-printable (for checking what a reader sees).
    pub(crate) fn decode_qp(s: &str) -> String {
        let mut out = Vec::new();
        let bytes = s.replace("=\r\n", "").into_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'=' {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    /// Decodes a folded RFC 2047 subject header back to text.
    pub(crate) fn decode_subject(header: &str) -> String {
        let value = header.trim_start_matches("Subject: ").replace("\r\n ", " ");
        if !value.starts_with("=?UTF-8?B?") {
            return value.trim_end().to_owned();
        }
        let mut bytes = Vec::new();
        for word in value.split_whitespace() {
            let b64 = word
                .strip_prefix("=?UTF-8?B?")
                .and_then(|w| w.strip_suffix("?="))
                .unwrap();
            bytes.extend(base64::decode(b64).unwrap());
        }
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn addresses_are_plain_dot_atoms() {
        for ok in ["soc@example.com", "a.b+tag@mail.example.co", "x@localhost"] {
            assert!(valid_address(ok), "{ok}");
        }
        for bad in [
            "",
            "no-at",
            "@example.com",
            "a@",
            "a..b@example.com",
            ".a@example.com",
            "a@-x.com",
            "Jane <jane@example.com>",
            "a@example.com\r\nBcc: x@evil.com",
            "\"q\"@example.com",
            "a b@example.com",
            "jäne@example.com",
        ] {
            assert!(!valid_address(bad), "{bad}");
        }
    }

    #[test]
    fn ascii_subject_folds_at_spaces_within_78() {
        let subject = "word ".repeat(40);
        let h = subject_header(subject.trim_end());
        assert!(h.ends_with("\r\n"));
        for line in h.trim_end_matches("\r\n").split("\r\n") {
            assert!(line.len() <= LINE_GOAL, "{line:?}");
        }
        assert_eq!(decode_subject(&h), subject.trim_end());
        // Runs of spaces (control characters turned to spaces) never leave
        // a line of only whitespace.
        let spaced = format!("{}  Bcc:  x", "y".repeat(70));
        let h = subject_header(&spaced);
        assert!(
            h.split("\r\n")
                .all(|l| l.is_empty() || !l.trim().is_empty()),
            "{h:?}"
        );
        assert_eq!(decode_subject(&h), spaced);
    }

    #[test]
    fn non_ascii_subject_is_encoded_words_on_char_boundaries() {
        let subject =
            "[govstream] Blocked prompt in org_müller: dlp:pii.email 🚫🚫🚫 ünïcödé ".repeat(3);
        let h = subject_header(&subject);
        assert!(h.is_ascii());
        for line in h.trim_end_matches("\r\n").split("\r\n") {
            assert!(line.len() <= 76, "{line:?}");
            let word = line.trim_start_matches("Subject:").trim_start();
            assert!(word.len() <= 75 && word.starts_with("=?UTF-8?B?"), "{word}");
        }
        assert_eq!(decode_subject(&h), subject);
        // `=?` in ASCII is encoded too, so it cannot be misread.
        assert!(subject_header("a =?x?= b").starts_with("Subject: =?UTF-8?B?"));
    }

    #[test]
    fn quoted_printable_round_trips_with_short_lines() {
        for line in [
            "plain",
            "trailing space ",
            "tab\tand = sign",
            &"é".repeat(100),
            &"x".repeat(300),
        ] {
            let qp = quoted_printable(line);
            for l in qp.split("\r\n") {
                assert!(l.len() <= 76, "{l:?}");
                assert!(
                    l.bytes()
                        .all(|b| b.is_ascii_graphic() || b == b' ' || b == b'\t')
                );
            }
            assert!(!qp.ends_with(' '));
            assert_eq!(decode_qp(&qp), line);
        }
    }

    #[test]
    fn to_header_folds_between_addresses() {
        let to: Vec<&str> = vec!["security-operations@example.com"; 5];
        let h = fold("To:", to.into_iter(), ", ");
        let lines: Vec<&str> = h.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.len() <= LINE_GOAL));
        assert!(lines[0].ends_with(','), "{}", lines[0]);
        assert!(lines[1].starts_with(' '));
    }

    #[test]
    fn dates_are_rfc_5322() {
        assert_eq!(
            rfc5322_date(1_738_581_773_492),
            "Mon, 03 Feb 2025 11:22:53 +0000"
        );
    }
}
