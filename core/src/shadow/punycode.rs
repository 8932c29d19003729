//! Punycode (RFC 3492) encoding of one hostname label, so Unicode hostnames
//! (`bücher.example`) compare equal to the ASCII form browsers send and
//! catalogs list (`xn--bcher-kva.example`). Only encoding is needed: a host
//! is always compared in its ASCII form.

const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;

/// RFC 3492 §6.1.
fn adapt(delta: u32, num_points: u32, first_time: bool) -> u32 {
    let mut delta = if first_time { delta / DAMP } else { delta / 2 };
    delta += delta / num_points;
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
}

fn digit(d: u32) -> char {
    // d < 36 by construction: 0..=25 are `a`..=`z`, 26..=35 are `0`..=`9`.
    let byte = if d < 26 {
        b'a' + d as u8
    } else {
        b'0' + (d - 26) as u8
    };
    char::from(byte)
}

/// Encodes `label` (already lowercased) as punycode, without the `xn--`
/// prefix. `None` when the deltas overflow, which only absurdly long labels
/// reach (RFC 3492 §6.4).
pub(super) fn encode(label: &str) -> Option<String> {
    let chars: Vec<u32> = label.chars().map(u32::from).collect();
    let mut out: String = label.chars().filter(char::is_ascii).collect();
    let basic = u32::try_from(out.len()).ok()?;
    let total = u32::try_from(chars.len()).ok()?;
    if basic > 0 {
        out.push('-');
    }
    let (mut n, mut delta, mut bias, mut handled) = (INITIAL_N, 0u32, INITIAL_BIAS, basic);
    while handled < total {
        let m = chars.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(handled + 1)?)?;
        n = m;
        for &c in &chars {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        T_MIN
                    } else if k >= bias + T_MAX {
                        T_MAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn rfc_3492_sample_strings() {
        // RFC 3492 §7.1: (A) Arabic (Egyptian), (B) Chinese (simplified),
        // (I) Russian, lowercased as IDNA does before encoding.
        let arabic = "\u{0644}\u{064A}\u{0647}\u{0645}\u{0627}\u{0628}\u{062A}\u{0643}\u{0644}\
                      \u{0645}\u{0648}\u{0634}\u{0639}\u{0631}\u{0628}\u{064A}\u{061F}";
        assert_eq!(encode(arabic).unwrap(), "egbpdaj6bu4bxfgehfvwxn");
        let chinese = "\u{4ED6}\u{4EEC}\u{4E3A}\u{4EC0}\u{4E48}\u{4E0D}\u{8BF4}\u{4E2D}\u{6587}";
        assert_eq!(encode(chinese).unwrap(), "ihqwcrb4cv8a8dqg056pqjye");
        let russian = "почемужеонинеговорятпорусски";
        assert_eq!(encode(russian).unwrap(), "b1abfaaepdrnnbgefbadotcwatmq2g4l");
    }

    #[test]
    fn mixed_and_plain_labels() {
        assert_eq!(encode("bücher").unwrap(), "bcher-kva");
        assert_eq!(encode("münchen").unwrap(), "mnchen-3ya");
        // IANA's test TLD `テスト` is delegated as `xn--zckzah`.
        assert_eq!(encode("テスト").unwrap(), "zckzah");
        assert_eq!(encode("abc").unwrap(), "abc-");
        assert_eq!(encode("").unwrap(), "");
    }
}
