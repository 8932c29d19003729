//! The `pii` pack: personal data — email addresses, phone numbers, US Social
//! Security numbers, IP and MAC addresses, dates of birth and passport
//! numbers.
//!
//! Phone rules are split by numbering plan and never overlap: the national
//! rules own `+1`, `+33`, `+44` and `+49`, and `pii.phone_intl` takes every
//! other `+` number, so one number is reported once.

use crate::dlp::{RuleSpec, TriggerShape, Validator};
use crate::schema::{Category, Severity};

/// The rules of the `pii` pack.
pub(super) fn rules() -> Vec<RuleSpec> {
    let mut rules = vec![email()];
    rules.extend(phones());
    rules.extend(ssn());
    rules.extend(network());
    rules.push(date_of_birth());
    rules.push(passport());
    rules
}

fn rule(name: &str, title: &str, severity: Severity, pattern: &str) -> RuleSpec {
    RuleSpec::new(
        &format!("pii.{name}"),
        title,
        Category::Pii,
        severity,
        pattern,
    )
}

fn email() -> RuleSpec {
    // The practical subset of RFC 5322 that mail systems accept: dot-atom
    // local part, dotted domain ending in an alphabetic TLD. `user@localhost`
    // and `@mentions` have no such shape.
    rule(
        "email",
        "Email address",
        Severity::Medium,
        r"[A-Za-z0-9_%+\-][A-Za-z0-9._%+\-]{0,63}@(?:[A-Za-z0-9\-]{1,63}\.){1,8}[A-Za-z]{2,24}\b",
    )
    .keywords(&["@"])
    .max_len(254)
    .confidence(0.9)
    // Git's SSH user and retina image names are address-shaped but personal to no one.
    .allow_values(&["git@github.com", "git@gitlab.com", "git@bitbucket.org"])
    .allow_patterns(&[r"(?i)[^@]+@[1-9]x\.(?:png|jpe?g|gif|webp|svg)"])
    .tp(
        "Please contact jane.doe@example.com about the invoice.",
        "jane.doe@example.com",
    )
    .tp(
        "Send alerts to <ops+alerts@mail.example.org>.",
        "ops+alerts@mail.example.org",
    )
    .fp("ping @alice and @bob in the channel")
    .fp("ssh root@localhost and check the logs")
    .fp("clone git@github.com:acme/api.git first")
    .fp("the retina asset is logo@2x.png")
}

fn phones() -> Vec<RuleSpec> {
    // `digits`: the fewest digits any match of the pattern has. They are
    // never more than two separator bytes apart, so one run holds them all.
    let phone = |name: &str, title: &str, digits: usize, pattern: &str| {
        rule(name, title, Severity::Medium, pattern)
            .min_digits(digits)
            .max_len(32)
            .label("PHONE")
    };
    vec![
        // NANP: area code and exchange start with 2–9.
        phone(
            "phone_nanp",
            "North American phone number",
            10,
            r"(?:\+1[ .\-]?|\b1[ .\-])?(?:\([2-9][0-9]{2}\)[ ]?|\b[2-9][0-9]{2}[ .\-])[2-9][0-9]{2}[ .\-][0-9]{4}\b|\+1[2-9][0-9]{2}[2-9][0-9]{6}\b",
        )
        .trigger_shape(TriggerShape::Spaced)
        .confidence(0.7)
        .tp("Call me at (415) 555-2671 after 5pm.", "(415) 555-2671")
        .tp("US office: +1 212 555 0199", "+1 212 555 0199")
        .tp("fax 312.555.0147 today", "312.555.0147")
        .tp("dial 1-800-555-0199 toll free", "1-800-555-0199")
        // Exchange 123 starts with 1, which NANP never assigns.
        .fp("Call (555) 123-4567 now")
        .fp("ticket 123-456-7890 closed")
        .fp("build 2024-555-1234 passed"),
        // Ofcom: national numbers are 0 + 10 digits, the area code often in
        // parentheses; drama ranges used below.
        phone(
            "phone_uk",
            "UK phone number",
            11,
            r"(?:\+|\b00)44[ \-]?(?:\(0\)[ ]?)?[1-9](?:[ \-]?[0-9]){8,9}\b|\b0(?:7[0-9]{3}[ ]?[0-9]{3}[ ]?[0-9]{3}|20[ ]?[0-9]{4}[ ]?[0-9]{4}|1[0-9]{2}[ ]?[0-9]{3}[ ]?[0-9]{4}|1[0-9]{3}[ ]?[0-9]{6}|3[0-9]{2}[ ]?[0-9]{3}[ ]?[0-9]{4})\b|\((?:020\)[ ]?[0-9]{4}[ ]?[0-9]{4}|01[0-9]{2}\)[ ]?[0-9]{3}[ ]?[0-9]{4}|01[0-9]{3}\)[ ]?[0-9]{6}|03[0-9]{2}\)[ ]?[0-9]{3}[ ]?[0-9]{4})\b",
        )
        .trigger_shape(TriggerShape::Spaced)
        .confidence(0.7)
        .tp("Ring me on 07700 900123 tomorrow", "07700 900123")
        .tp("London office +44 20 7946 0958.", "+44 20 7946 0958")
        .tp("Manchester: 0161 496 0000", "0161 496 0000")
        .tp("London office (020) 7946 0958", "(020) 7946 0958")
        .tp("Leeds (0113) 496 0000 ext 2", "(0113) 496 0000")
        .fp("Invoice 0770090012 is due")
        .fp("dial +44 12345 for support"),
        // German national significant numbers have 7–11 digits.
        phone(
            "phone_de",
            "German phone number",
            9,
            r"(?:\+|\b00)49[ \-]?(?:\(0\)[ ]?)?[1-9](?:[ \-/]?[0-9]){6,10}\b",
        )
        .trigger_shape(TriggerShape::SpacedFrom(&["+49", "0049"]))
        .confidence(0.75)
        .tp("Büro Berlin: +49 30 901820, Durchwahl folgt", "+49 30 901820")
        .tp("Handy: 0049 170 1234567", "0049 170 1234567")
        .fp("Artikel 004912 im Lager")
        .fp("Zimmer +49 123"),
        // French numbers are 0 + 9 digits, written in pairs. Five dashed
        // pairs followed by a sixth are a MAC address (`01-23-45-67-89-AB`),
        // so a dash and a word character may not follow; the regex has no
        // look-ahead, so the next character is matched outside the value.
        phone(
            "phone_fr",
            "French phone number",
            10,
            r"(?P<value>(?:\+|\b00)33[ .\-]?(?:\(0\)[ ]?)?[1-9](?:[ .\-]?[0-9]{2}){4}|\b0[1-9](?:[ .\-][0-9]{2}){4}|\b0[67][0-9]{8})(?:[^0-9A-Za-z_\-]|-(?:[^0-9A-Za-z_]|$)|$)",
        )
        .trigger_shape(TriggerShape::Spaced)
        .confidence(0.7)
        .tp("Appelez-moi au 06 12 34 56 78 demain", "06 12 34 56 78")
        .tp("Paris : +33 1 23 45 67 89", "+33 1 23 45 67 89")
        .tp("portable 0712345678", "0712345678")
        .fp("code 0123456789 invalide")
        .fp("version 01.23.45.67 publiée")
        .tp("fin de ligne : 01-23-45-67-89", "01-23-45-67-89")
        .tp("Tél. 06-12-34-56-78.", "06-12-34-56-78")
        .fp("MAC: 01-23-45-67-89-AB"),
        // E.164: + and 8–15 digits, for every country code not owned above.
        phone(
            "phone_intl",
            "International phone number",
            8,
            r"\+(?:2|[5-9])(?:[ .\-()]{0,2}[0-9]){7,14}\b|\+(?:3[0-24-9]|4[0-35-8])(?:[ .\-()]{0,2}[0-9]){6,13}\b",
        )
        .trigger_shape(TriggerShape::SpacedFrom(&["+"]))
        .confidence(0.75)
        .tp("Our Amsterdam desk is +31 20 555 0123.", "+31 20 555 0123")
        .tp("WhatsApp +91 98765 43210 anytime", "+91 98765 43210")
        .fp("London office +44 20 7946 0958")
        .fp("US office +1 415 555 2671")
        .fp("score went +5 to 1234"),
    ]
}

fn ssn() -> Vec<RuleSpec> {
    const SSN_WORDS: [&str; 4] = ["ssn", "social security", "soc sec", "ss#"];
    vec![
        rule(
            "us_ssn",
            "US Social Security number",
            Severity::High,
            r"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b",
        )
        .min_digits(9)
        .trigger_shape(TriggerShape::Grouped)
        .max_len(16)
        .validator(Validator::UsSsn)
        .context_boost(&SSN_WORDS, 64, 0.15)
        .confidence(0.75)
        .label("US_SSN")
        // Numbers the SSA voided after they were printed in advertising.
        .allow_values(&["078-05-1120", "219-09-9999"])
        .tp("Employee SSN: 536-90-4399 on file", "536-90-4399")
        .tp("her social security number is 219-45-6677.", "219-45-6677")
        .fp("SSN 000-12-3456 is a placeholder")
        .fp("part 666-45-1234 in stock")
        .fp("the wallet-card number 078-05-1120 was voided"),
        // Without dashes nine digits are anything, so the context is
        // required. Dots are rarer than spaces but appear in forms and
        // exports (Presidio's SSN recognizer accepts them too).
        rule(
            "us_ssn_unformatted",
            "US Social Security number (unformatted)",
            Severity::High,
            r"\b[0-9]{3} [0-9]{2} [0-9]{4}\b|\b[0-9]{3}\.[0-9]{2}\.[0-9]{4}\b|\b[0-9]{9}\b",
        )
        .min_digits(9)
        .trigger_shape(TriggerShape::Grouped)
        .max_len(16)
        .validator(Validator::UsSsn)
        .context_required(&SSN_WORDS, 48)
        .confidence(0.8)
        .label("US_SSN")
        .tp("SSN 536904399 (no dashes)", "536904399")
        .tp("Social Security: 536 90 4399", "536 90 4399")
        .tp("SSN 078.05.1123 per the form", "078.05.1123")
        .fp("SSN 693-09.4444 mixes separators")
        .fp("Tracking number 536904399 shipped")
        .fp("ssn field: 000123456")
        .fp("SSN 1234567890"),
    ]
}

fn network() -> Vec<RuleSpec> {
    vec![
        // A four-part version such as "1.2.3.4" is a valid address and is
        // reported (severity is low); "v1.2.3.4" and five-part versions are
        // not, because the match must start at a word boundary and swallows
        // extra parts, which then fail the parse. A CIDR prefix length is
        // part of the value when it is one (`/0`–`/32`).
        rule(
            "ipv4",
            "IPv4 address",
            Severity::Low,
            r"\b[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?:\.[0-9]{1,3})*(?:/(?:3[0-2]|[12][0-9]|[0-9]))?\b",
        )
        .min_digits(4)
        .trigger_shape(TriggerShape::DottedQuad)
        .max_len(64)
        .validator(Validator::Ipv4)
        .confidence(0.7)
        .allow_values(&["0.0.0.0", "0.0.0.0/0", "127.0.0.1", "255.255.255.255"])
        .tp("Login from 203.0.113.7 was blocked", "203.0.113.7")
        .tp("server at 192.168.10.25:8080", "192.168.10.25")
        // Presidio's test_ip_recognizer.py.
        .tp("Subnet: 192.168.1.0/24", "192.168.1.0/24")
        .tp("Route is 10.0.0.0/8.", "10.0.0.0/8")
        .tp("10.0.0.0/123", "10.0.0.0")
        .fp("IP192.168.1.1text")
        .fp("route 0.0.0.0/0 is the default")
        .fp("upgrade to 1.2.3.4.5 tomorrow")
        .fp("address 256.10.1.1 is invalid")
        .fp("listening on 127.0.0.1")
        .fp("padded code 010.001.002.003")
        .fp("release v1.2.3.4 notes"),
        // Broad on purpose: the match takes the whole word-and-colon run so
        // that `cache::add` or `std::net` fails the parse as a whole instead
        // of leaving a parseable tail. A zone (`%eth0`) and a CIDR prefix
        // length are part of the value.
        rule(
            "ipv6",
            "IPv6 address",
            Severity::Low,
            r"[0-9A-Za-z_]*:[0-9A-Za-z_]*:[0-9A-Za-z_:]*(?:\.[0-9A-Za-z_]+)*(?:%[0-9A-Za-z_]+)?(?:/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9])\b)?",
        )
        .keywords(&["::"])
        .min_digits(4)
        .trigger_shape(TriggerShape::Ipv6Address)
        .max_len(64)
        .validator(Validator::Ipv6)
        .confidence(0.7)
        // Loopback, unspecified, and letter-only hex words (`dead::beef`).
        .allow_values(&["::", "::1", "::/0", "::/128", "::1/128"])
        .allow_patterns(&["[A-Fa-f:]*"])
        .tp("Client 2001:db8:85a3::8a2e:370:7334 connected", "2001:db8:85a3::8a2e:370:7334")
        .tp(
            "bind [2001:0db8:0000:0000:0000:ff00:0042:8329]:443",
            "2001:0db8:0000:0000:0000:ff00:0042:8329",
        )
        .tp("mapped ::ffff:192.0.2.128 seen", "::ffff:192.0.2.128")
        // Presidio's test_ip_recognizer.py.
        .tp("fe80::1%eth0 is link-local", "fe80::1%eth0")
        .tp("Prefix: 2001:db8::/32", "2001:db8::/32")
        .tp("2001:db8::/9999", "2001:db8::")
        .fp("text2001:db8::1")
        .fp("use std::net::Ipv6Addr in 2024")
        .fp("meeting at 10:30:45 today")
        .fp("call cache::add 1234 times")
        .fp("ping ::1 for loopback")
        .fp("marker dead::beef 2024"),
        // Six of the sixteen hex digits are letters: one random MAC in ten
        // has no run of four decimal digits, and some have none at all
        // (`AA:BB:CC:DD:EE:FF`). A letter on each side of a colon or dash is
        // a keyword, and the digit trigger is three digits: together they
        // reach all but about one random MAC in a thousand (Cisco's dotted
        // form, without such a pair, in under 2%), while the two-digit
        // numbers common in prose and code do not wake the rule.
        //
        // A MAC is exactly six pairs or three quads. When the same separator
        // goes on with more of a word (`4111.1111.1111.1111`, a card grouped
        // with dots; an EUI-64), the run is something else: the regex has no
        // look-ahead, so the first alternatives consume such a run whole
        // without a `value`, and the scanner reports nothing for it and
        // resumes after it rather than inside it.
        rule(
            "mac_address",
            "MAC address",
            Severity::Low,
            concat!(
                r"\b(?:(?:[0-9A-Fa-f]{4}\.){3}\w[\w.]*",
                r"|(?:[0-9A-Fa-f]{2}:){6}\w[\w:]*",
                r"|(?:[0-9A-Fa-f]{2}-){6}\w[\w\-]*",
                r"|(?P<value>[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})\b)",
            ),
        )
        .keywords(&mac_letter_pairs().iter().map(String::as_str).collect::<Vec<_>>())
        .min_digits(3)
        .trigger_shape(TriggerShape::MacAddress)
        .max_len(20)
        .confidence(0.7)
        .label("MAC")
        .allow_patterns(&[r"(?i)(?:00[:.\-]?){5}00|(?:ff[:.\-]?){5}ff"])
        .tp("eth0 ether 00:1a:2b:3c:4d:5e txqueuelen 1000", "00:1a:2b:3c:4d:5e")
        .tp("Device MAC 3C-52-82-1F-9A-07 registered", "3C-52-82-1F-9A-07")
        .tp("Cisco shows 0025.9611.2233 on port 4", "0025.9611.2233")
        // Presidio's test_mac_address_recognizer.py.
        .tp("Device MAC: AA:BB:CC:DD:EE:FF", "AA:BB:CC:DD:EE:FF")
        .tp("Hardware address: AA-BB-CC-DD-EE-FF", "AA-BB-CC-DD-EE-FF")
        .tp("Mixedcase MAC: 0d-B3-4a-6A-d9-cF", "0d-B3-4a-6A-d9-cF")
        .tp("wlan0 ab:cd:ef:12:ab:cd up", "ab:cd:ef:12:ab:cd")
        .fp("Invalid: ZZ:ZZ:ZZ:ZZ:ZZ:ZZ")
        .fp("Not a MAC: 00:1A:2B:3C:4D")
        .fp("Broadcast: FF:FF:FF:FF:FF:FF")
        .fp("null MAC 00:00:00:00:00:00 ignored")
        .fp("time 10:20:30:40:50 code")
        .fp("mixed 00:1a-2b:3c:4d:5e separators")
        .tp("switch 0123.4567.89ab.", "0123.4567.89ab")
        .fp("card 4111.1111.1111.1111 on file")
        .fp("ref 1234.5678.9012.3456.7890.abcd.ef01 logged")
        .fp("EUI-64 02:1a:2b:ff:fe:3c:4d:5e assigned"),
    ]
}

/// `a:a` … `f:f` and `a-a` … `f-f`: the MAC rule's keywords.
fn mac_letter_pairs() -> Vec<String> {
    let letters = b'a'..=b'f';
    [':', '-']
        .into_iter()
        .flat_map(|sep| {
            letters.clone().flat_map(move |a| {
                (b'a'..=b'f').map(move |b| format!("{}{sep}{}", char::from(a), char::from(b)))
            })
        })
        .collect()
}

fn date_of_birth() -> RuleSpec {
    // The label is part of the pattern (and so of every match) because the
    // keyword prefilter needs a literal inside the match; the date is the
    // reported value. The gap allows "born in Leeds on …" but no digits.
    const LABELS: [&str; 9] = [
        "dob",
        "d.o.b",
        "birth",
        "born",
        "geburtsdatum",
        "geboren",
        "naissance",
        "nacimiento",
        "nascita",
    ];
    let month = "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
    let day = "(?:0?[1-9]|[12][0-9]|3[01])";
    let month_num = "(?:0?[1-9]|1[0-2])";
    let year = "(?:19|20)[0-9]{2}";
    let date = [
        format!("{year}[-/.]{month_num}[-/.]{day}"),
        format!("(?:{month_num}[-/.]{day}|{day}[-/.]{month_num})[-/.](?:{year}|[0-9]{{2}})"),
        format!("{day}(?:st|nd|rd|th)?\\.?[ ]+(?:of[ ]+)?{month}\\.?,?[ ]+{year}"),
        format!("{month}\\.?[ ]+{day}(?:st|nd|rd|th)?,?[ ]+{year}"),
        // Clinical records: `15-MAR-1985`, `15/Mar/85`.
        format!("{day}[-/]{month}[-/](?:{year}|[0-9]{{2}})"),
    ]
    .join("|");
    let label = r"\b(?:dob|d\.o\.b|date[ \-]of[ \-]birth|birth[ \-]?date|born|birthday|geburtsdatum|geboren|date de naissance|fecha de nacimiento|data di nascita)\b";
    let pattern = format!(r"(?i){label}[^0-9\n]{{0,24}}?(?P<value>{date})\b");
    rule("date_of_birth", "Date of birth", Severity::Medium, &pattern)
        .keywords(&LABELS)
        .max_len(96)
        .context_required(&LABELS, 48)
        .confidence(0.85)
        .label("DOB")
        .tp("Patient DOB: 03/15/1985, admitted yesterday.", "03/15/1985")
        .tp("She was born on 15 March 1985 in Leeds.", "15 March 1985")
        .tp("Geburtsdatum: 15.03.1985", "15.03.1985")
        .tp("date of birth 1985-03-15", "1985-03-15")
        .tp("Date of birth: March 3rd, 1990", "March 3rd, 1990")
        .tp("DOB: 15-MAR-1985", "15-MAR-1985")
        .tp("Date of Birth 15/Mar/85 (verified)", "15/Mar/85")
        .fp("Invoice date 03/15/2024, due 04/15/2024")
        .fp("DOB: 31/31/1990 looks wrong")
        .fp("the idea was born out of a 2019 hackathon")
        .fp("dob field left blank; record updated 2024-01-15")
}

fn passport() -> RuleSpec {
    // Passport numbers are 6–9 upper-case letters and digits with at least
    // one digit (US and UK: 9 digits; US next generation: a letter and 8
    // digits; Germany: 9 characters). Each alternative places the first digit
    // after k letters so the total length stays within 6–9.
    const LABELS: [&str; 5] = [
        "passport",
        "reisepass",
        "passeport",
        "pasaporte",
        "passaporto",
    ];
    let number = (0..=8usize)
        .map(|k| {
            let lo = 5usize.saturating_sub(k);
            let hi = 8 - k;
            format!("[A-Z]{{{k}}}[0-9][A-Z0-9]{{{lo},{hi}}}")
        })
        .collect::<Vec<_>>()
        .join("|");
    let pattern = format!(
        r"(?i:\b(?:passports?|reisepass|passeport|pasaporte|passaporto)\b)(?:[ \t:#=.\-]{{1,4}}(?i:number|num|no|nr|id|is)\b){{0,3}}[ \t:#=.\-]{{1,4}}(?P<value>{number})\b"
    );
    rule("passport", "Passport number", Severity::High, &pattern)
        .keywords(&LABELS)
        .max_len(64)
        .context_required(&LABELS, 48)
        .confidence(0.85)
        .tp("Passport number: 533419876, expires 2031.", "533419876")
        .tp("Her UK passport no. is 120382978", "120382978")
        .tp("Reisepass Nr. C01X00T47 liegt vor", "C01X00T47")
        .tp("passport #: 912803456", "912803456")
        .fp("Passport photos cost 15 dollars")
        .fp("passport number: 12345")
        .fp("Passport office opens at 0900")
        .fp("passport number 1234567890")
}

/// Checks a pack's rules against their own examples with the same regex
/// dialect, value group, allowlist, validator, context and prefilter
/// reachability the scanner uses, so a pack is tested on its own.
#[cfg(test)]
mod tests {
    use super::super::tests::findings;
    use super::*;

    #[test]
    fn pack_size() {
        assert!(rules().len() >= 12);
    }

    fn find(id: &str, text: &str) -> Vec<String> {
        let rules = rules();
        let rule = rules.iter().find(|r| r.id == id).unwrap();
        findings(rule, text)
    }

    #[test]
    fn one_phone_rule_per_number() {
        let rules = rules();
        let texts = [
            "+1 415 555 2671",
            "+44 20 7946 0958",
            "+49 30 901820",
            "+33 1 23 45 67 89",
            "+31 20 555 0123",
            "06 12 34 56 78",
            "07700 900123",
            "(020) 7946 0958",
        ];
        for text in texts {
            let hits = rules
                .iter()
                .filter(|r| r.label == "PHONE" && !findings(r, text).is_empty())
                .count();
            assert_eq!(hits, 1, "{text}");
        }
    }

    #[test]
    fn non_ascii_neighbours_do_not_break_matches() {
        assert_eq!(
            find("pii.email", "écrire à zoe@example.fr — merci"),
            ["zoe@example.fr"]
        );
        assert_eq!(
            find("pii.email", "请联系jane@example.com谢谢"),
            ["jane@example.com"]
        );
        assert_eq!(
            find("pii.ipv4", "адрес 198.51.100.23 заблокирован"),
            ["198.51.100.23"]
        );
    }

    #[test]
    fn ssn_context_is_required_only_without_dashes() {
        assert_eq!(find("pii.us_ssn", "ref 536-90-4399"), ["536-90-4399"]);
        assert_eq!(
            find("pii.us_ssn_unformatted", "ref 536904399"),
            Vec::<String>::new()
        );
    }
}
