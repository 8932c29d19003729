//! Checks on matched values beyond their shape: checksums (Luhn, IBAN, ABA,
//! Base58Check, Bech32), numbering-plan rules (US SSN), address parsing,
//! entropy and the shape of a secret value (placeholders, runs). Every check is total: any string, however malformed or long,
//! gives `true` or `false` and never panics, because custom rules feed them
//! whatever their regexes match.

mod address;
mod checksum;
mod secret_value;

use super::Validator;
#[cfg(test)]
use address::{Bech32Variant, bech32_decode};
use address::{base58check, bech32};
pub(crate) use checksum::IBAN_LENGTHS;
use checksum::{aba_routing, iban, luhn};
use std::net::{Ipv4Addr, Ipv6Addr};

/// True when `value` passes `validator`.
pub fn validate(validator: &Validator, value: &str) -> bool {
    match validator {
        Validator::Luhn => luhn(value),
        Validator::IbanMod97 => iban(value),
        Validator::AbaRouting => aba_routing(value),
        Validator::Base58Check => base58check(value),
        Validator::Bech32 => bech32(value),
        Validator::UsSsn => us_ssn(value),
        Validator::Ipv4 => ipv4(value),
        Validator::Ipv6 => ipv6(value),
        Validator::Jwt => jwt(value),
        Validator::Entropy { min_bits_per_char } => shannon_entropy(value) >= *min_bits_per_char,
        Validator::SecretValue {
            min_bits_per_char,
            keyboard_runs,
        } => secret_value::secret_value(value, *min_bits_per_char, *keyboard_runs),
    }
}

/// SSA rules for an SSN written `AAA-GG-SSSS`, `AAA GG SSSS`,
/// `AAA.GG.SSSS` or `AAAGGSSSS`: area not 000, 666 or 900–999, group not
/// 00, serial not 0000.
fn us_ssn(value: &str) -> bool {
    let b = value.as_bytes();
    let digits: Vec<u8> = match b.len() {
        9 => b.to_vec(),
        11 => {
            let sep = b.get(3);
            if sep != b.get(6) || !matches!(sep, Some(b'-' | b' ' | b'.')) {
                return false;
            }
            b.iter()
                .enumerate()
                .filter(|(i, _)| *i != 3 && *i != 6)
                .map(|(_, c)| *c)
                .collect()
        }
        _ => return false,
    };
    if !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let num = |r: std::ops::Range<usize>| {
        digits
            .get(r)
            .unwrap_or_default()
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
    };
    let (area, group, serial) = (num(0..3), num(3..5), num(5..9));
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

/// Dotted-quad IPv4 without leading zeros, which some parsers read as octal
/// and which mark version numbers and zero-padded codes rather than addresses;
/// optionally with a CIDR prefix length (`10.0.0.0/8`).
fn ipv4(value: &str) -> bool {
    let Some(address) = without_prefix_len(value, 32) else {
        return false;
    };
    address.parse::<Ipv4Addr>().is_ok()
        && address
            .split('.')
            .all(|octet| octet == "0" || !octet.starts_with('0'))
}

/// An IPv6 address, optionally with a zone (`fe80::1%eth0`, RFC 4007) and a
/// CIDR prefix length (`2001:db8::/32`).
fn ipv6(value: &str) -> bool {
    let Some(address) = without_prefix_len(value, 128) else {
        return false;
    };
    let address = match address.split_once('%') {
        Some((address, zone)) => {
            let zone_ok = !zone.is_empty()
                && zone
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
            if !zone_ok {
                return false;
            }
            address
        }
        None => address,
    };
    address.parse::<Ipv6Addr>().is_ok()
}

/// `value` without a `/len` suffix, when it has none or `len` is a decimal
/// at most `max` without leading zeros.
fn without_prefix_len(value: &str, max: u32) -> Option<&str> {
    let Some((address, len)) = value.split_once('/') else {
        return Some(value);
    };
    let canonical = !len.is_empty()
        && len.len() <= 3
        && len.bytes().all(|b| b.is_ascii_digit())
        && (len == "0" || !len.starts_with('0'));
    match len.parse::<u32>() {
        Ok(n) if canonical && n <= max => Some(address),
        _ => None,
    }
}

/// The first dot-separated segment is base64url of a JSON object with `alg`.
fn jwt(value: &str) -> bool {
    let header = value.split('.').next().unwrap_or_default();
    let Some(json) = crate::base64::decode_url(header) else {
        return false;
    };
    matches!(
        serde_json::from_slice::<serde_json::Value>(&json),
        Ok(serde_json::Value::Object(map)) if map.contains_key("alg")
    )
}

/// Shannon entropy in bits per character; 0 for the empty string.
fn shannon_entropy(value: &str) -> f64 {
    let mut chars: Vec<char> = value.chars().collect();
    if chars.is_empty() {
        return 0.0;
    }
    chars.sort_unstable();
    let total = chars.len() as f64;
    chars
        .chunk_by(|a, b| a == b)
        .map(|run| {
            let p = run.len() as f64 / total;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn all_validators() -> Vec<Validator> {
        vec![
            Validator::Luhn,
            Validator::IbanMod97,
            Validator::AbaRouting,
            Validator::Base58Check,
            Validator::Bech32,
            Validator::UsSsn,
            Validator::Ipv4,
            Validator::Ipv6,
            Validator::Jwt,
            Validator::Entropy {
                min_bits_per_char: 3.0,
            },
            Validator::SecretValue {
                min_bits_per_char: 3.0,
                keyboard_runs: true,
            },
            Validator::SecretValue {
                min_bits_per_char: 3.0,
                keyboard_runs: false,
            },
        ]
    }

    fn check(v: &Validator, good: &[&str], bad: &[&str]) {
        for value in good {
            assert!(validate(v, value), "{v:?} should accept {value:?}");
        }
        for value in bad {
            assert!(!validate(v, value), "{v:?} should reject {value:?}");
        }
    }

    #[test]
    fn luhn_vectors() {
        // Test card numbers published by card networks and payment processors.
        check(
            &Validator::Luhn,
            &[
                "4111111111111111",
                "4111 1111 1111 1111",
                "5555-5555-5555-4444",
                "378282246310005",
                "6011111111111117",
                "30569309025904",
                "4222222222222",
                "4111.1111.1111.1111",
            ],
            &[
                "4111111111111112",
                "4111.1111.1111.1112",
                "79927398713", // Luhn-valid (Wikipedia's example) but 11 digits
                "4111111111111111111111",
                "4111/1111/1111/1111",
                "",
                "０４１１１１１１１１１１１１１１１",
            ],
        );
    }

    #[test]
    fn iban_vectors() {
        // Examples from the SWIFT IBAN Registry.
        check(
            &Validator::IbanMod97,
            &[
                "GB82 WEST 1234 5698 7654 32",
                "GB82WEST12345698765432",
                "DE89 3704 0044 0532 0130 00",
                "NO9386011117947",
                "BE68539007547034",
                "FR1420041010050500013M02606",
                "CH9300762011623852957",
                "NL91ABNA0417164300",
                "gb82west12345698765432",
            ],
            &[
                "GB83 WEST 1234 5698 7654 32",
                "GB82 WEST 1234 5698 7654 3",
                "DE89 3704 0044 0532 0130 01",
                "XX82WEST12345698765432",
                "GBX2WEST12345698765432",
                "GB82-WEST-1234-5698-7654-32",
                "GB8",
                "",
            ],
        );
    }

    #[test]
    fn aba_vectors() {
        // Federal Reserve Bank of Boston, JPMorgan Chase, Bank of America.
        check(
            &Validator::AbaRouting,
            &[
                "011000015",
                "021000021",
                "026009593",
                // Presidio's test_aba_routing_recognizer.py.
                "121000358",
                "3222-7162-7",
                "0711-0130-7",
            ],
            &[
                "011000016",
                // 3·(1+0+0) + 7·(3+0+1) + (1+0+8) = 40, but 13 is not a
                // Federal Reserve prefix.
                "131000018",
                "01100001",
                "0110000150",
                "01100001a",
                "011-000-015",
                "0110-0001-6",
                "0110-00015",
                "1234-0000-0",
            ],
        );
    }

    #[test]
    fn base58check_vectors() {
        // The genesis-block address, and the Bitcoin wiki's P2PKH and BIP-13
        // P2SH examples.
        check(
            &Validator::Base58Check,
            &[
                "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
                "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
                "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            ],
            &[
                "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",
                "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN",
                "1A1zP1eP5QGefi2DMPTfTL5SLmv7Div0Na",
                "1111",
                "",
                &"z".repeat(500),
            ],
        );
    }

    #[test]
    fn bech32_vectors() {
        // BIP-173 and BIP-350 test vectors: generic checksums first, then
        // segwit addresses.
        check(
            &Validator::Bech32,
            &[
                "A12UEL5L",
                "a12uel5l",
                "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
                "?1ezyfcl",
                "A1LQFN3A",
                "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
                "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
                "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
                "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
                "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
                "BC1SW50QGDZ25J",
                "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
            ],
            &[
                "pzry9x0s0muk",
                "1pzry9x0s0muk",
                "x1b4n0q5v",
                "li1dgmt3",
                "A1G7SGD8",
                "10a06t8",
                "1qzzfhee",
                "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
                // Bech32 where Bech32m is required, and the reverse.
                "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
                "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
                // Witness version 0 with a 16-byte program.
                "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
                // Mixed case.
                "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",
                "bc1gmk9yu",
                "",
            ],
        );
        // The swapped-variant vectors fail on the segwit rule, not the checksum.
        let variant = |s| bech32_decode(s).map(|(_, _, v)| v);
        assert_eq!(
            variant("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd"),
            Some(Bech32Variant::Bech32)
        );
        assert_eq!(
            variant("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh"),
            Some(Bech32Variant::Bech32m)
        );
        assert!(variant("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P").is_some());
    }

    #[test]
    fn ssn_rules() {
        check(
            &Validator::UsSsn,
            &[
                "536-90-4399",
                "536 90 4399",
                "536.90.4399",
                "536904399",
                "899-01-0001",
            ],
            &[
                "000-12-3456",
                "666-12-3456",
                "900-12-3456",
                "999-12-3456",
                "536-00-4399",
                "536-90-0000",
                "536-90 4399",
                "536-90.4399",
                "536/90/4399",
                "53-690-4399",
                "53690439",
                "5369043990",
            ],
        );
    }

    #[test]
    fn ip_addresses() {
        check(
            &Validator::Ipv4,
            &[
                "192.0.2.10",
                "0.0.0.0",
                "255.255.255.255",
                "10.0.0.1",
                "10.0.0.0/8",
                "192.168.1.0/24",
                "0.0.0.0/0",
            ],
            &[
                "10.0.0.0/33",
                "10.0.0.0/08",
                "10.0.0.0/",
                "10.0.0.0/8/8",
                "01.02.03.04",
                "192.168.001.1",
                "256.1.1.1",
                "1.2.3",
                "1.2.3.4.5",
                " 1.2.3.4",
            ],
        );
        check(
            &Validator::Ipv6,
            &[
                "2001:db8::1",
                "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
                "::ffff:192.0.2.128",
                "fe80::1",
                "::",
                "fe80::1%eth0",
                "2001:db8::/32",
                "fe80::1%eth0/64",
            ],
            &[
                "2001:db8::1::2",
                "12:34:56",
                "00:1A:2B:3C:4D:5E",
                "2001:db8::g",
                "fe80::1%",
                "fe80::1%eth 0",
                "2001:db8::/129",
                "2001:db8::/",
            ],
        );
    }

    #[test]
    fn jwt_header() {
        // jwt.io's example token, and headers without `alg` or not an object.
        check(
            &Validator::Jwt,
            &[
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig",
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
            ],
            &[
                "eyJ0eXAiOiJKV1QifQ.e30.sig",
                "WyJhbGciXQ.e30.sig",
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9x.e30.sig",
                "not+base64.e30.sig",
                "",
            ],
        );
    }

    #[test]
    fn entropy_floor() {
        let at = |min| Validator::Entropy {
            min_bits_per_char: min,
        };
        assert!(validate(&at(2.0), "abcd"));
        assert!(!validate(&at(2.01), "abcd"));
        assert!(!validate(&at(0.5), "aaaaaaaa"));
        assert!(validate(&at(0.0), ""));
        assert!(!validate(&at(f64::NAN), "abcd"));
        assert!(validate(
            &at(3.0),
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        ));
        assert!((shannon_entropy("aabb") - 1.0).abs() < 1e-12);
        assert!((shannon_entropy("ééàà") - 1.0).abs() < 1e-12);
    }

    #[test]
    fn iban_table_is_sorted_and_lengths_in_range() {
        assert!(IBAN_LENGTHS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(IBAN_LENGTHS.iter().all(|(_, len)| (15..=34).contains(len)));
    }

    proptest! {
        #[test]
        fn never_panics_on_any_string(s in any::<String>()) {
            for v in all_validators() {
                let _ = validate(&v, &s);
            }
        }

        #[test]
        fn never_panics_on_near_misses(
            s in "[0-9 \\-]{0,24}|[A-Z]{2}[0-9]{2}[A-Z0-9 ]{0,36}|[13][1-9A-Za-z]{0,40}|(bc|tb|BC|a)1[02-9ac-hj-np-z]{0,90}|[0-9a-fA-F:.]{0,45}|[A-Za-z0-9_=\\-]{0,40}\\.?"
        ) {
            for v in all_validators() {
                let _ = validate(&v, &s);
            }
        }
    }
}
