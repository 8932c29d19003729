//! Check digits of bank and card numbers: Luhn, IBAN mod-97, ABA routing.

/// Luhn mod 10 over 12–19 digits; spaces, dashes and dots are group
/// separators (which grouping counts as a card is the rule's regex's call).
pub(super) fn luhn(value: &str) -> bool {
    let mut count = 0usize;
    let mut sum = 0u32;
    for b in value.bytes().rev() {
        let d = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b' ' | b'-' | b'.' => continue,
            _ => return false,
        };
        let d = if count % 2 == 1 {
            let doubled = d * 2;
            if doubled > 9 { doubled - 9 } else { doubled }
        } else {
            d
        };
        sum += d;
        count += 1;
        if count > 19 {
            return false;
        }
    }
    count >= 12 && sum.is_multiple_of(10)
}

/// IBAN length per country, sorted by country code. Source: SWIFT IBAN
/// Registry (https://www.swift.com/standards/data-standards/iban), the
/// releases that list Honduras (HN) and Yemen (YE); 89 countries.
#[rustfmt::skip]
pub(crate) const IBAN_LENGTHS: [([u8; 2], usize); 89] = [
    (*b"AD", 24), (*b"AE", 23), (*b"AL", 28), (*b"AT", 20), (*b"AZ", 28), (*b"BA", 20),
    (*b"BE", 16), (*b"BG", 22), (*b"BH", 22), (*b"BI", 27), (*b"BR", 29), (*b"BY", 28),
    (*b"CH", 21), (*b"CR", 22), (*b"CY", 28), (*b"CZ", 24), (*b"DE", 22), (*b"DJ", 27),
    (*b"DK", 18), (*b"DO", 28), (*b"EE", 20), (*b"EG", 29), (*b"ES", 24), (*b"FI", 18),
    (*b"FK", 18), (*b"FO", 18), (*b"FR", 27), (*b"GB", 22), (*b"GE", 22), (*b"GI", 23),
    (*b"GL", 18), (*b"GR", 27), (*b"GT", 28), (*b"HN", 28), (*b"HR", 21), (*b"HU", 28),
    (*b"IE", 22), (*b"IL", 23), (*b"IQ", 23), (*b"IS", 26), (*b"IT", 27), (*b"JO", 30),
    (*b"KW", 30), (*b"KZ", 20), (*b"LB", 28), (*b"LC", 32), (*b"LI", 21), (*b"LT", 20),
    (*b"LU", 20), (*b"LV", 21), (*b"LY", 25), (*b"MC", 27), (*b"MD", 24), (*b"ME", 22),
    (*b"MK", 19), (*b"MN", 20), (*b"MR", 27), (*b"MT", 31), (*b"MU", 30), (*b"NI", 28),
    (*b"NL", 18), (*b"NO", 15), (*b"OM", 23), (*b"PK", 24), (*b"PL", 28), (*b"PS", 29),
    (*b"PT", 25), (*b"QA", 29), (*b"RO", 24), (*b"RS", 22), (*b"RU", 33), (*b"SA", 24),
    (*b"SC", 31), (*b"SD", 18), (*b"SE", 24), (*b"SI", 19), (*b"SK", 24), (*b"SM", 27),
    (*b"SO", 23), (*b"ST", 25), (*b"SV", 28), (*b"TL", 23), (*b"TN", 24), (*b"TR", 26),
    (*b"UA", 29), (*b"VA", 22), (*b"VG", 24), (*b"XK", 20), (*b"YE", 30),
];

/// ISO 13616: known country, its exact length, and ISO 7064 mod 97-10 == 1
/// over the rearranged number (letters count as 10–35). Spaces are ignored
/// and letters may be of either case.
pub(super) fn iban(value: &str) -> bool {
    let compact: Vec<u8> = value
        .bytes()
        .filter(|b| *b != b' ')
        .map(|b| b.to_ascii_uppercase())
        .collect();
    let Some((head, tail)) = compact.split_at_checked(4) else {
        return false;
    };
    let &[c0, c1, k0, k1] = head else {
        return false;
    };
    let Ok(at) = IBAN_LENGTHS.binary_search_by(|(country, _)| country.cmp(&[c0, c1])) else {
        return false;
    };
    if IBAN_LENGTHS.get(at).map(|(_, len)| *len) != Some(compact.len())
        || !k0.is_ascii_digit()
        || !k1.is_ascii_digit()
    {
        return false;
    }
    // The remainder stays below 97, so one step is at most 96 * 100 + 35:
    // the number is reduced piece by piece instead of being built in full.
    let mut rem = 0u32;
    for &b in tail.iter().chain(head) {
        rem = match b {
            b'0'..=b'9' => (rem * 10 + u32::from(b - b'0')) % 97,
            b'A'..=b'Z' => (rem * 100 + u32::from(b - b'A') + 10) % 97,
            _ => return false,
        };
    }
    rem == 1
}

/// ABA routing number: nine digits, a Federal Reserve prefix, and the
/// 3-7-1 weighted sum divisible by 10. The digits may be written `XXXX-YYYY-C`
/// (routing symbol, institution, check digit), the layout of the number's parts.
pub(super) fn aba_routing(value: &str) -> bool {
    let b = value.as_bytes();
    let digits: Vec<u8> = match b.len() {
        9 => b.to_vec(),
        11 if b.get(4) == Some(&b'-') && b.get(9) == Some(&b'-') => b
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 4 && *i != 9)
            .map(|(_, c)| *c)
            .collect(),
        _ => return false,
    };
    let Ok(d) = <[u8; 9]>::try_from(digits.as_slice()) else {
        return false;
    };
    if !d.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let d = d.map(|b| u32::from(b - b'0'));
    // 00–12 banks, 21–32 thrift institutions, 61–72 electronic transactions,
    // 80 traveller's cheques; everything else is unassigned.
    if !matches!(d[0] * 10 + d[1], 0..=12 | 21..=32 | 61..=72 | 80) {
        return false;
    }
    let sum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8]);
    sum % 10 == 0
}
