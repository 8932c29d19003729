//! Whether a matched value has the shape of a real secret rather than of
//! something written in its place. A vendor key, a password or a token is
//! drawn at random from some alphabet; what people write where a secret
//! goes (in docs, templates, tests and config samples) is not: masks
//! (`****`, `xxxx`, `…`), references to where the secret really lives
//! (`${VAR}`, `%VAR%`, `{{ var }}`, `<token>`), words (`changeme`,
//! `your_api_key_here`), keyboard-order runs (`abcdef…`, `0123456789`), one
//! character repeated, a short unit repeated (`abcabcabc`) or too few
//! distinct characters for the alphabet the value draws on.
//!
//! Rules whose token carries its vendor's prefix may skip the run check
//! (`keyboard_runs: false`): `ghp_` + 36 already says what the value is,
//! and a run there is a hand-made test token rather than a stand-in word.
//!
//! Every check is judged on the value's shape and is chosen so that a value
//! drawn at random essentially never fails it: a sequential run must cover
//! half the value, one character half of it, and the entropy floor sits
//! below the 0.05 % quantile of random strings of the same length and
//! alphabet (simulated for 6–100 characters of digits, hex, letters and
//! base62). Vendor prefixes (`ghp_`, `sk-proj-`) are short next to the
//! random body, so the same checks serve prefixed keys and bare values.
//!
//! Not judged here: documented example keys that are random-looking
//! (`AKIAIOSFODNN7EXAMPLE`). They cannot be told apart by shape; see
//! `docs/rule-checks.md` for why the AWS one is still reported.

/// True when `value` looks like a secret: not a placeholder, template
/// reference or mask, not mostly one character, not a repeated unit, with
/// enough entropy for its alphabet, at least `min_bits_per_char` bits of
/// Shannon entropy per character, and, when `keyboard_runs` is set, not
/// mostly sequential runs.
pub(super) fn secret_value(value: &str, min_bits_per_char: f64, keyboard_runs: bool) -> bool {
    let entropy = super::shannon_entropy(value);
    entropy >= min_bits_per_char
        && !is_reference(value)
        && !is_masked(value)
        && !is_placeholder_words(value)
        && (!keyboard_runs || !mostly_sequential(value))
        && !mostly_one_char(value)
        && !is_periodic(value)
        && entropy_fits_alphabet(value, entropy)
}

/// A reference to where the secret is kept, as a whole value: shell and
/// template variables (`$VAR`, `${VAR}`, `$(cmd)`, `%VAR%`, `{{ var }}`,
/// `{var}`, `%(name)s`), angle-bracket and square-bracket stand-ins
/// (`<token>`, `[REDACTED]`), dunder markers (`__TOKEN__`) and the `@`
/// markers build-time token replacement fills in (`@@DB_PASSWORD@@`,
/// Maven resource filtering's `@db.password@`).
fn is_reference(value: &str) -> bool {
    let v = value.trim_matches(|c| matches!(c, '"' | '\'' | '`'));
    let inner = |open: &str, close: &str| {
        v.strip_prefix(open)
            .and_then(|rest| rest.strip_suffix(close))
            .is_some_and(|body| !body.is_empty() && !body.contains(close))
    };
    let ident = |s: &str| {
        let mut chars = s.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    inner("${", "}")
        || inner("$(", ")")
        || inner("{{", "}}")
        || inner("<", ">")
        || inner("[", "]")
        || inner("%(", ")s")
        || v.strip_prefix('$').is_some_and(ident)
        || v.strip_prefix('%')
            .and_then(|r| r.strip_suffix('%'))
            .is_some_and(ident)
        || v.strip_prefix('{')
            .and_then(|r| r.strip_suffix('}'))
            .is_some_and(|r| r.split('.').all(ident))
        || v.strip_prefix("__")
            .and_then(|r| r.strip_suffix("__"))
            .is_some_and(|r| !r.is_empty() && ident(r))
        || ["@@", "@"].iter().any(|at| {
            v.strip_prefix(at)
                .and_then(|r| r.strip_suffix(at))
                .is_some_and(|r| r.split('.').all(ident))
        })
}

/// Masked or elided: three or more `*`, `•` or `#` in a row, an ellipsis
/// (`...`, `…`), or four or more `x`/`X` in a row (a random base62 value
/// of 200 characters holds one by chance about once in 40,000).
fn is_masked(value: &str) -> bool {
    let mut prev = '\0';
    let mut run = 0usize;
    for c in value.chars() {
        let class = match c {
            '*' | '•' | '●' | '#' => '*',
            'x' | 'X' => 'x',
            '.' => '.',
            '…' => return true,
            _ => '\0',
        };
        run = if class != '\0' && class == prev {
            run + 1
        } else {
            1
        };
        prev = class;
        let needed = if class == 'x' { 4 } else { 3 };
        if class != '\0' && run >= needed {
            return true;
        }
    }
    false
}

/// Words written in a secret's place: the value, split at anything that
/// is not a letter and at lower-to-upper case changes, has no digit and
/// consists only of words that name a secret or ask for one
/// (`your_api_key_here`, `CHANGE-ME`, `insertTokenHere`, `dummy-secret`).
fn is_placeholder_words(value: &str) -> bool {
    const WORDS: &[&str] = &[
        "your",
        "my",
        "the",
        "a",
        "an",
        "api",
        "key",
        "keys",
        "token",
        "secret",
        "password",
        "passwd",
        "pass",
        "pwd",
        "passphrase",
        "access",
        "auth",
        "client",
        "app",
        "private",
        "here",
        "goes",
        "change",
        "changeme",
        "me",
        "it",
        "this",
        "replace",
        "insert",
        "enter",
        "put",
        "paste",
        "add",
        "set",
        "fill",
        "in",
        "placeholder",
        "redacted",
        "removed",
        "hidden",
        "masked",
        "dummy",
        "fake",
        "sample",
        "example",
        "test",
        "todo",
        "tbd",
        "xxx",
        "xx",
        "x",
        "value",
        "string",
        "some",
        "real",
        "actual",
        "own",
        "new",
        "id",
        "bot",
    ];
    if value.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in value.chars() {
        if c.is_ascii_alphabetic() {
            if c.is_ascii_uppercase() && prev_lower && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            word.push(c.to_ascii_lowercase());
            prev_lower = c.is_ascii_lowercase();
        } else {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            prev_lower = false;
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    !words.is_empty() && words.iter().all(|w| WORDS.contains(&w.as_str()))
}

/// Position of `c` in its alphabet (digits, lower case, upper case) with
/// the alphabet's tag; `None` for any other character.
fn rank(c: char) -> Option<(u8, u32)> {
    match c {
        '0'..='9' => Some((0, u32::from(c) - u32::from('0'))),
        'a'..='z' => Some((1, u32::from(c) - u32::from('a'))),
        'A'..='Z' => Some((2, u32::from(c) - u32::from('A'))),
        _ => None,
    }
}

/// Half the value or more lies in keyboard-order runs of four or more
/// characters of one alphabet, ascending or descending (`abcdefghij`,
/// `ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi`, `0123456789`, `9876`); `9`
/// followed by `0` continues a digit run (`1234567890`). In a random hex
/// value a run of four turns up about once per 4,000 positions.
fn mostly_sequential(value: &str) -> bool {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 6 {
        return false;
    }
    let step = |a: char, b: char| -> i8 {
        match (rank(a), rank(b)) {
            (Some((ta, ra)), Some((tb, rb))) if ta == tb => {
                if rb == ra + 1 || (ta == 0 && ra == 9 && rb == 0) {
                    1
                } else if ra == rb + 1 {
                    -1
                } else {
                    0
                }
            }
            _ => 0,
        }
    };
    let mut covered = 0usize;
    let mut run = 1usize;
    let mut dir = 0i8;
    for pair in chars.windows(2) {
        let (a, b) = match pair {
            [a, b] => (*a, *b),
            _ => continue,
        };
        let s = step(a, b);
        if s != 0 && (run == 1 || s == dir) {
            run += 1;
            dir = s;
        } else {
            if run >= 4 {
                covered += run;
            }
            run = if s != 0 { 2 } else { 1 };
            dir = s;
        }
    }
    if run >= 4 {
        covered += run;
    }
    covered * 2 >= chars.len()
}

/// One character makes up half the value or more (`aaaaaaaa`,
/// `0000000000001`, `sk_live_0000000000000000`).
fn mostly_one_char(value: &str) -> bool {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 6 {
        return false;
    }
    let mut sorted = chars.clone();
    sorted.sort_unstable();
    let most = sorted
        .chunk_by(|a, b| a == b)
        .map(<[char]>::len)
        .max()
        .unwrap_or(0);
    most * 2 >= chars.len()
}

/// The value is one unit repeated (`abcabcabcabc`,
/// `deadbeefdeadbeefdeadbeef`, `qwerty123qwerty123`), a trailing partial
/// unit allowed: three repeats of a short value, two of one of twelve
/// characters or more. Random values are never periodic.
fn is_periodic(value: &str) -> bool {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    if n < 8 {
        return false;
    }
    let longest = if n >= 12 { n / 2 } else { n / 3 };
    (1..=longest).any(|p| chars.iter().zip(chars.iter().skip(p)).all(|(a, b)| a == b))
}

/// Entropy at least half of what the value's length and alphabet allow:
/// `log2(min(length, alphabet size))`, where the alphabet is the smallest
/// of digits, hex, one letter case, letters and digits, or printable ASCII
/// that holds every character. Below ten characters the bound says too
/// little and is not applied.
fn entropy_fits_alphabet(value: &str, entropy: f64) -> bool {
    let n = value.chars().count();
    if n < 10 {
        return true;
    }
    let all = |f: fn(&char) -> bool| value.chars().all(|c| f(&c));
    let alphabet: usize = if all(char::is_ascii_digit) {
        10
    } else if all(char::is_ascii_hexdigit)
        && (all(|c| !c.is_ascii_uppercase()) || all(|c| !c.is_ascii_lowercase()))
    {
        16
    } else if all(char::is_ascii_lowercase) || all(char::is_ascii_uppercase) {
        26
    } else if all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
        || all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    {
        36
    } else if all(char::is_ascii_alphanumeric) {
        62
    } else {
        94
    };
    #[allow(clippy::cast_precision_loss)] // both are small counts
    let bound = (n.min(alphabet) as f64).log2();
    entropy * 2.0 >= bound
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_values_pass() {
        for v in [
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "ghp_FAKEexample3AHOVcjqx4BIPWdkry5CJQXel",
            "Xk9#mP2vL!qz",
            "3fa4e5d6-FAKE-4c1b-9a7e-8d2f0b1c6e5a",
            "0afaFAKE3ccfd9d7f5767067bc48b30f",
            "8274910365",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "xoxb-263594206564-2343594206574-FAKEexampleToken",
            "AKIAIOSFODNN7EXAMPLE",
        ] {
            assert!(secret_value(v, 2.5, true), "{v} should pass");
        }
    }

    #[test]
    fn placeholders_fail() {
        for v in [
            "${API_TOKEN}",
            "$API_TOKEN",
            "%API_TOKEN%",
            "{{ api_token }}",
            "{{api_token}}",
            "<token>",
            "<your-api-key>",
            "[REDACTED]",
            "__API_TOKEN__",
            "@@DB_PASSWORD@@",
            "@db.password@",
            "{settings.token}",
            "changeme",
            "your_api_key_here",
            "YOUR-SECRET-KEY",
            "insertTokenHere",
            "sk-proj-******************",
            "sk-...",
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "XXXXXXXXXXXXXXXX",
            "••••••••",
            "abcdefghijklmnopqrstuvwxyz",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi",
            "0123456789abcdef",
            "1234567890",
            "ghp_1234567890abcdefghijklmnopqrstuvwxyz",
            "zyxwvutsrq",
            "aaaaaaaaaaaaaaaa",
            "sk_live_0000000000000000000000000",
            "abcabcabcabc",
            "deadbeefdeadbeefdeadbeef",
            "Summer2024!Summer2024!",
        ] {
            assert!(!secret_value(v, 0.0, true), "{v} should fail");
        }
    }

    #[test]
    fn entropy_floor_still_applies() {
        assert!(!secret_value("Xk9#mP2vL!qz", 4.0, true));
        assert!(!secret_value("", 0.1, true));
        assert!(secret_value("", 0.0, true));
    }

    #[test]
    fn one_short_run_is_not_enough() {
        // A random value that happens to contain `abcd` or `1234`.
        assert!(secret_value("q7Zk1234Lp9vRt2mWx8b", 3.0, true));
        assert!(secret_value("hT4abcdQ9zLmN2vX", 3.0, true));
    }

    #[test]
    fn runs_can_be_allowed_for_prefixed_tokens() {
        // A hand-made test token: runs, but a vendor prefix says what it is.
        let token = "ghp_1234567890abcdefghijklmnopqrstuvwxyz";
        assert!(!secret_value(token, 3.0, true));
        assert!(secret_value(token, 3.0, false));
        // Masks and one repeated character stay placeholders either way.
        assert!(!secret_value(
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            0.0,
            false
        ));
        assert!(!secret_value(
            "sk_live_000000000000000000000000",
            0.0,
            false
        ));
    }
}
