//! The `financial` pack: payment card numbers (one rule per network, each
//! Luhn-checked), IBANs, US ABA routing numbers, SWIFT/BIC codes, and
//! Bitcoin and Ethereum addresses.
//!
//! Card networks are separate rules so findings name the network; their
//! issuer prefixes are disjoint, so one number is reported once.

use crate::dlp::validators::IBAN_LENGTHS;
use crate::dlp::{RuleSpec, TriggerShape, Validator};
use crate::schema::{Category, Severity};

/// The rules of the `financial` pack.
pub(super) fn rules() -> Vec<RuleSpec> {
    let mut rules = cards();
    rules.extend([iban(), aba_routing(), swift_bic()]);
    rules.extend(crypto());
    rules
}

fn rule(name: &str, title: &str, severity: Severity, pattern: &str) -> RuleSpec {
    RuleSpec::new(
        &format!("financial.{name}"),
        title,
        Category::Financial,
        severity,
        pattern,
    )
}

/// How a card number of a given length is written. `F` is the first group
/// of four digits (the issuer prefix); groups are separated by one space or
/// dash, or not at all, or by a dot between every group.
#[derive(Clone, Copy)]
enum Layout {
    /// 4-4-4-4.
    Sixteen,
    /// 4-4-4-4-3.
    Nineteen,
    /// 4-6-5 (American Express).
    Fifteen,
    /// 4-6-4 (Diners Club).
    Fourteen,
    /// Unformatted, this many digits in total (a range).
    Plain(usize, usize),
}

/// Spaces and dashes may group a number loosely (`4111 1111-11111111`):
/// people type cards that way, and neither is a decimal point.
const LOOSE_SEP: &str = "[ \\-]?";

/// Some locales group a card with dots (`4111.1111.1111.1111`). A dot is
/// also a decimal point or a version separator (`4111.11`), so a dotted
/// number is a card only when a dot stands between every group.
const DOT_SEP: &str = "\\.";

fn layout_pattern(first: &str, layout: Layout, sep: &str) -> String {
    match layout {
        Layout::Sixteen => format!("{first}(?:{sep}[0-9]{{4}}){{3}}"),
        Layout::Nineteen => format!("{first}(?:{sep}[0-9]{{4}}){{3}}{sep}[0-9]{{3}}"),
        Layout::Fifteen => format!("{first}{sep}[0-9]{{6}}{sep}[0-9]{{5}}"),
        Layout::Fourteen => format!("{first}{sep}[0-9]{{6}}{sep}[0-9]{{4}}"),
        Layout::Plain(lo, hi) => format!("{first}[0-9]{{{},{}}}", lo - 4, hi - 4),
    }
}

/// Sixteen digits come first: a leftmost-first regex then prefers a
/// complete 4-4-4-4 number over swallowing a following three-digit group.
/// Each grouped layout is read loosely and dotted; the two cannot match the
/// same text, so their order does not matter.
fn card(name: &str, title: &str, first: &str, layouts: &[Layout]) -> RuleSpec {
    let alternatives: Vec<String> = layouts
        .iter()
        .flat_map(|&l| match l {
            Layout::Plain(..) => vec![layout_pattern(first, l, "")],
            _ => vec![
                layout_pattern(first, l, LOOSE_SEP),
                layout_pattern(first, l, DOT_SEP),
            ],
        })
        .collect();
    let pattern = format!(r"\b(?:{})\b", alternatives.join("|"));
    rule(&format!("card_{name}"), title, Severity::High, &pattern)
        .min_digits(12)
        .trigger_shape(TriggerShape::Grouped)
        .max_len(32)
        .validator(Validator::Luhn)
        .confidence(0.9)
        .label("CARD")
}

// Issuer prefixes from the ISO/IEC 7812 IIN ranges the networks publish
// (summarised in Wikipedia's "Payment card number" table); test numbers
// are the networks' and processors' published test cards.
fn cards() -> Vec<RuleSpec> {
    use Layout::*;
    vec![
        card(
            "visa",
            "Visa card number",
            "4[0-9]{3}",
            &[Sixteen, Nineteen, Plain(13, 13)],
        )
        .tp(
            "Card: 4111 1111 1111 1111, exp 12/27",
            "4111 1111 1111 1111",
        )
        .tp("charge 4012888888881881 now", "4012888888881881")
        .tp("old card 4222222222222 on file", "4222222222222")
        // Grouped with dots, as in some locales.
        .tp("Karte 4111.1111.1111.1111 gültig", "4111.1111.1111.1111")
        .fp("Card: 4111 1111 1111 1112, exp 12/27")
        .fp("Karte 4111.1111.1111.1112 ungültig")
        // A dot that is not between every group is a decimal point.
        .fp("total 4111.111111111111 due")
        .fp("order 4111 1111 1111 shipped")
        .fp("ref 41111111111111111111"),
        card(
            "mastercard",
            "Mastercard card number",
            "(?:5[1-5][0-9]{2}|222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)",
            &[Sixteen],
        )
        .tp("MC 5555 5555 5555 4444 expires soon", "5555 5555 5555 4444")
        .tp("pay with 5105-1051-0510-5100 please", "5105-1051-0510-5100")
        .tp("2-series card 2223003122003222", "2223003122003222")
        .fp("MC 5555 5555 5555 4445 expires soon")
        .fp("serial 2721 0000 0000 0005 is not a card"),
        card(
            "amex",
            "American Express card number",
            "3[47][0-9]{2}",
            &[Fifteen],
        )
        .tp("Amex 3782 822463 10005 on file", "3782 822463 10005")
        .tp("corporate card 371449635398431", "371449635398431")
        .tp("Amex 3782.822463.10005 on file", "3782.822463.10005")
        .fp("Amex 3782 822463 10006 on file")
        .fp("batch 3782 8224 6310 005"),
        card(
            "discover",
            "Discover card number",
            "(?:6011|64[4-9][0-9]|65[0-9]{2})",
            &[Sixteen, Nineteen],
        )
        .tp("Discover 6011 1111 1111 1117", "6011 1111 1111 1117")
        .tp("card=6011000990139424;", "6011000990139424")
        .fp("Discover 6011 1111 1111 1118")
        .fp("id 6430 0000 0000 0000"),
        card(
            "jcb",
            "JCB card number",
            "35(?:2[89]|[3-8][0-9])",
            &[Sixteen, Nineteen],
        )
        .tp("JCB 3530 1113 3330 0000 accepted", "3530 1113 3330 0000")
        .tp("card 3566002020360505", "3566002020360505")
        .fp("JCB 3530 1113 3330 0001 accepted")
        .fp("code 3527 0000 0000 0003"),
        card(
            "diners",
            "Diners Club card number",
            "(?:30[0-5][0-9]|3[689][0-9]{2})",
            &[Fourteen, Sixteen],
        )
        .tp("Diners 3056 930902 5904 on file", "3056 930902 5904")
        .tp("card 36227206271667", "36227206271667")
        .tp("card 38520000023237 ok", "38520000023237")
        .fp("Diners 3056 930902 5905 on file")
        .fp("ticket 3070 0000 0000 04"),
        card(
            "unionpay",
            "UnionPay card number",
            "62[0-9]{2}",
            &[Sixteen, Nineteen, Plain(17, 18)],
        )
        .tp("UnionPay 6200 0000 0000 0005", "6200 0000 0000 0005")
        .tp("card 6205500000000000004 used", "6205500000000000004")
        .fp("UnionPay 6200 0000 0000 0006")
        .fp("IMEI 6212 3456 7890 12"),
        card(
            "maestro",
            "Maestro card number",
            "(?:5018|5020|5038|5893|6304|6759|676[1-3])",
            &[Sixteen, Nineteen, Plain(12, 19)],
        )
        .tp("Maestro 6759 6498 2643 8453", "6759 6498 2643 8453")
        .tp("debit 5018000000000009 ok", "5018000000000009")
        .tp("card 676134123456782", "676134123456782")
        .fp("Maestro 6759 6498 2643 8454")
        .fp("code 5019 0000 0000 0004"),
        // Denmark's domestic debit card; Visa/Dankort co-brands (4571) are
        // Visa numbers.
        card("dankort", "Dankort card number", "5019", &[Sixteen])
            // Presidio's test_credit_card_recognizer.py (from Datatrans).
            .tp("Dankort 5019717010103742 accepted", "5019717010103742")
            .tp("kort 5019 1234 5678 9013", "5019 1234 5678 9013")
            .fp("kort 5019 1234 5678 9014")
            .fp("ref 5019 0000 0000 0004 5"),
        // UATP (airline) cards: 15 digits starting with 1, the one network
        // outside 2–6.
        card(
            "uatp",
            "UATP card number",
            "1[0-9]{3}",
            &[Fifteen, Plain(15, 15)],
        )
        // Fifteen digits after a 1 are also order and account numbers, so a
        // match is less certain than for the other networks.
        .confidence(0.75)
        // Presidio (Datatrans' AirPlus test card) and CyberSource.
        .tp("AirPlus 122000000000003 on file", "122000000000003")
        .tp("UATP card 135412345678911", "135412345678911")
        .tp("UATP 1354 123456 78911", "1354 123456 78911")
        .fp("UATP card 135412345678912")
        .fp("epoch ms 1700000000000 and id 1000000000000000"),
    ]
}

fn iban() -> RuleSpec {
    // ISO 13616 print format groups of four; the validator checks the mod-97
    // check digits. The trigger is the country code and check digits: two
    // capitals, then a run of at least two digits (the rest of the account
    // may be letters or further runs).
    rule("iban", "IBAN", Severity::High, &iban_pattern())
        .min_digits(2)
        .trigger_shape(TriggerShape::AfterCapitals)
        .max_len(48)
        .validator(Validator::IbanMod97)
        .confidence(0.95)
        .tp(
            "Please wire to GB82 WEST 1234 5698 7654 32 by Friday.",
            "GB82 WEST 1234 5698 7654 32",
        )
        .tp("IBAN: DE89370400440532013000", "DE89370400440532013000")
        .tp(
            "Konto FR14 2004 1010 0505 0001 3M02 606.",
            "FR14 2004 1010 0505 0001 3M02 606",
        )
        .tp(
            "NL91 ABNA 0417 1643 00 (ABN AMRO)",
            "NL91 ABNA 0417 1643 00",
        )
        .tp(
            "paid from CH1800762FAKEACCOUNTX today",
            "CH1800762FAKEACCOUNTX",
        )
        .tp("LI70 0881 0KON TOAB CDEF G", "LI70 0881 0KON TOAB CDEF G")
        // Presidio's test_iban_recognizer.py: a word after a whole group.
        .tp(
            "this is an iban VG96 VPVG 0000 0123 4567 8901 X in a sentence",
            "VG96 VPVG 0000 0123 4567 8901",
        )
        .tp(
            "ES91 2100 0418 4502 0005 1332 EUR 120,00",
            "ES91 2100 0418 4502 0005 1332",
        )
        .fp("IBAN GB83 WEST 1234 5698 7654 32 has a typo")
        .fp("ref DE89 3704 0044 0532 0130 0 is short")
        .fp("order XX12 3456 7890 1234 56")
        .fp("AM47212110090000000235698740")
}

/// Each country's IBAN has one length (SWIFT IBAN Registry), so the pattern
/// takes exactly that many characters after the country code. A regex that
/// took up to 34 would swallow a short word after the last group (`… 8901 X`,
/// `… 1332 EUR`) and the validator would then reject the whole match.
fn iban_pattern() -> String {
    let mut lengths: Vec<usize> = IBAN_LENGTHS.iter().map(|(_, len)| *len).collect();
    lengths.sort_unstable();
    lengths.dedup();
    let alternatives: Vec<String> = lengths
        .iter()
        .map(|&len| {
            let countries: Vec<String> = IBAN_LENGTHS
                .iter()
                .filter(|(_, l)| *l == len)
                .map(|(c, _)| String::from_utf8_lossy(c).into_owned())
                .collect();
            let body = len - 4;
            let tail = match body % 4 {
                0 => String::new(),
                r => format!("[ ]?[A-Z0-9]{{{r}}}"),
            };
            format!(
                "(?:{})[0-9]{{2}}(?:[ ]?[A-Z0-9]{{4}}){{{}}}{tail}",
                countries.join("|"),
                body / 4
            )
        })
        .collect();
    format!(r"\b(?:{})\b", alternatives.join("|"))
}

fn aba_routing() -> RuleSpec {
    // Context words are matched as substrings, so the short ones carry a
    // delimiter: a bare "ach" is inside "each", a bare "aba" inside "database".
    rule(
        "aba_routing",
        "US ABA routing number",
        Severity::Medium,
        r"\b[0-9]{9}\b|\b[0-9]{4}-[0-9]{4}-[0-9]\b",
    )
    .min_digits(9)
    .trigger_shape(TriggerShape::Grouped)
    .max_len(16)
    .validator(Validator::AbaRouting)
    .context_required(
        &[
            "routing", "rtn", "wire", " aba", "aba:", "aba#", "(aba", " ach", "ach:", "(ach",
        ],
        48,
    )
    .confidence(0.7)
    .label("ROUTING_NUMBER")
    .tp("Routing number 011000015, account 12345678", "011000015")
    .tp("ACH: 021000021 / acct 000123456789", "021000021")
    .tp("wire to ABA 026009593 today", "026009593")
    // Presidio's test_aba_routing_recognizer.py (Chase, Wells Fargo).
    .tp("routing number 3222-7162-7", "3222-7162-7")
    .tp("ABA: 0711-0130-7", "0711-0130-7")
    .fp("routing 1234-0000-0")
    .fp("Routing number 011000016, account 12345678")
    .fp("Order 021000021 shipped")
    .fp("each package in our database weighs 021000021 grams")
}

/// ISO 3166-1 alpha-2 codes (from the iso-codes package) plus XK, which
/// SWIFT uses for Kosovo: a BIC's fifth and sixth letters.
const COUNTRIES: &str = "A[DEFGILMOQRSTUWXZ]|B[ABDEFGHIJLMNOQRSTVWYZ]|C[ACDFGHIKLMNORUVWXYZ]|D[EJKMOZ]|E[CEGHRST]|F[IJKMOR]|G[ABDEFGHILMNPQRSTUWY]|H[KMNRTU]|I[DELMNOQRST]|J[EMOP]|K[EGHIMNPRWYZ]|L[ABCIKRSTUVY]|M[ACDEFGHKLMNOPQRSTUVWXYZ]|N[ACEFGILOPRUZ]|OM|P[AEFGHKLMNRSTWY]|QA|R[EOSUW]|S[ABCDEGHIJKLMNORSTVXYZ]|T[CDFGHJKLMNORTVWZ]|U[AGMSYZ]|V[ACEGINU]|W[FS]|XK|Y[ET]|Z[AMW]";

fn swift_bic() -> RuleSpec {
    // ISO 9362: 4 letters (institution), a country, 2 location characters,
    // optionally 3 for the branch. Eight capitals are often just a word, so
    // the label is part of the pattern and the code is the reported value.
    const LABELS: [&str; 3] = ["swift", "bic", "bank"];
    let pattern = format!(
        r"(?i:\b(?:swift|bic|bank)\b)(?:[ \t:#=/\-]{{1,3}}(?i:swift|bic|code|no|number|id|is|address)\b){{0,3}}[ \t:#=/\-]{{1,3}}(?P<value>[A-Z]{{4}}(?:{COUNTRIES})[A-Z0-9]{{2}}(?:[A-Z0-9]{{3}})?)\b"
    );
    rule("swift_bic", "SWIFT/BIC code", Severity::Low, &pattern)
        .keywords(&LABELS)
        .max_len(64)
        .context_required(&LABELS, 32)
        .confidence(0.6)
        .label("BIC")
        .tp("SWIFT/BIC: DEUTDEFF500 for the transfer", "DEUTDEFF500")
        .tp("our bank code is NWBKGB2L", "NWBKGB2L")
        .tp("BIC BOFAUS3N", "BOFAUS3N")
        .fp("SWIFT TRANSFER pending")
        .fp("bank code ABCDXX12 is made up")
        .fp("the swift fox DEUTDEFF")
}

fn crypto() -> Vec<RuleSpec> {
    vec![
        // Base58 has no literal to anchor on and digits are sparse in it, so
        // this rule runs over the whole text; the DFA keeps that cheap.
        rule(
            "bitcoin_address",
            "Bitcoin address (legacy)",
            Severity::Medium,
            r"\b[13][1-9A-HJ-NP-Za-km-z]{25,34}\b",
        )
        // Every address starts with the digit 1 or 3, so the regex only needs
        // to run near digits: prose without numbers is never searched.
        .min_digits(1)
        .trigger_shape(TriggerShape::LongWord {
            first: "13",
            min_len: 26,
        })
        .max_len(40)
        .validator(Validator::Base58Check)
        .confidence(0.9)
        .label("CRYPTO_ADDRESS")
        .tp(
            "Donate to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa please",
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        )
        .tp(
            "Pay 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy now",
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
        )
        .fp("address 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb has a typo")
        .fp("id 1111111111111111111111111111 is padding"),
        rule(
            "bitcoin_bech32",
            "Bitcoin address (bech32)",
            Severity::Medium,
            r"\b(?:(?:bc|tb)1[02-9ac-hj-np-z]{11,71}|(?:BC|TB)1[02-9AC-HJ-NP-Z]{11,71})\b",
        )
        .keywords(&["bc1", "tb1"])
        .max_len(90)
        .validator(Validator::Bech32)
        .confidence(0.9)
        .label("CRYPTO_ADDRESS")
        .tp(
            "send to bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 thanks",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        )
        .tp(
            "taproot bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        )
        .fp("v0 with bech32m bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh")
        .fp("typo bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"),
        // EIP-55 examples; the checksum casing is optional in practice.
        rule(
            "ethereum_address",
            "Ethereum address",
            Severity::Medium,
            r"\b0x[0-9a-fA-F]{40}\b",
        )
        .keywords(&["0x"])
        .max_len(48)
        .confidence(0.8)
        .label("CRYPTO_ADDRESS")
        .allow_values(&["0x0000000000000000000000000000000000000000"])
        .tp(
            "Send ETH to 0x52908400098527886E0F7030069857D2E4169EE7.",
            "0x52908400098527886E0F7030069857D2E4169EE7",
        )
        .tp(
            "wallet 0xde709f2102306220921060314715629080e2fb77",
            "0xde709f2102306220921060314715629080e2fb77",
        )
        .fp("tx 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060 mined")
        .fp("burn 0x0000000000000000000000000000000000000000")
        .fp("color 0xFFAA00"),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::tests::findings;
    use super::*;

    #[test]
    fn pack_size() {
        assert!(rules().len() >= 8);
    }

    #[test]
    fn one_card_rule_per_number() {
        let rules = rules();
        let numbers = [
            "4111111111111111",
            "5555555555554444",
            "378282246310005",
            "6011111111111117",
            "3530111333300000",
            "30569309025904",
            "6200000000000005",
            "6759649826438453",
            "5019717010103742",
            "122000000000003",
        ];
        for n in numbers {
            let hits: Vec<&str> = rules
                .iter()
                .filter(|r| r.label == "CARD" && !findings(r, n).is_empty())
                .map(|r| r.id.as_str())
                .collect();
            assert_eq!(hits.len(), 1, "{n}: {hits:?}");
        }
    }
}
