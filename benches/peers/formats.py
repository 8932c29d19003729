"""Random values in the published shapes of the things a prompt scanner looks for,
and near misses (decoys) that share a shape but are not findings.

Every generator takes a `random.Random` so that a corpus is a pure function of its
seed. Values are built from each format's published rules, never copied from any
scanner's examples or tests: the benchmark measures tools on text none of them was
tuned on.
"""

import base64
import json
import random
import string
import zlib

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
# RFC 4648 base32 alphabet: AWS access key ids use it after their 4-letter prefix.
BASE32 = string.ascii_uppercase + "234567"
BASE64 = ALNUM + "+/"


def pick(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def digits(rng: random.Random, n: int) -> str:
    return pick(rng, string.digits, n)


# --- payment cards ---------------------------------------------------------


def luhn_valid(number: str) -> bool:
    """The Luhn (mod 10) check of ISO/IEC 7812-1, on the digits of `number`."""
    nums = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(nums)):
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _luhn_complete(body: str) -> str:
    """Appends the one check digit that makes `body` Luhn-valid."""
    for check in string.digits:
        if luhn_valid(body + check):
            return body + check
    raise AssertionError("one of ten check digits always fits")


# IIN prefixes and lengths as the networks publish them (ISO/IEC 7812 registry;
# Visa 4, Mastercard 51-55 and 2221-2720, Amex 34/37, Discover 6011/644-649/65).
_CARD_BRANDS = (
    (("4",), 16),
    (("51", "52", "53", "54", "55", "2221", "2720", "2300"), 16),
    (("34", "37"), 15),
    (("6011", "644", "65"), 16),
)


def _group_card(number: str, rng: random.Random) -> str:
    # Printed cards group 4-4-4-4, Amex 4-6-5; people type spaces, dashes or nothing.
    sep = rng.choice([" ", "-", ""])
    cuts = (4, 10) if len(number) == 15 else (4, 8, 12)
    parts, last = [], 0
    for cut in cuts:
        parts.append(number[last:cut])
        last = cut
    parts.append(number[last:])
    return sep.join(parts)


def card(rng: random.Random) -> str:
    prefixes, length = rng.choice(_CARD_BRANDS)
    prefix = rng.choice(prefixes)
    body = prefix + digits(rng, length - len(prefix) - 1)
    return _group_card(_luhn_complete(body), rng)


def card_decoy(rng: random.Random) -> str:
    """A card-shaped number whose check digit is wrong: not a card number."""
    good = card(rng)
    last = int(good[-1])
    return good[:-1] + str((last + rng.randint(1, 9)) % 10)


# --- IBAN ------------------------------------------------------------------

# BBAN layouts from the SWIFT IBAN Registry (ISO 13616): n digits, a upper-case
# letters, c alphanumerics.
_IBAN_LAYOUTS = {
    "DE": "8n10n",
    "GB": "4a6n8n",
    "FR": "5n5n11c2n",
    "NL": "4a10n",
    "ES": "4n4n2n10n",
    "IT": "1a5n5n12c",
    "CH": "5n12c",
}


def _bban(rng: random.Random, layout: str) -> str:
    out, count = [], ""
    for ch in layout:
        if ch.isdigit():
            count += ch
            continue
        alphabet = {"n": string.digits, "a": string.ascii_uppercase}.get(
            ch, string.ascii_uppercase + string.digits
        )
        out.append(pick(rng, alphabet, int(count)))
        count = ""
    return "".join(out)


def _mod97(text: str) -> int:
    # ISO 7064 MOD 97-10 over the IBAN with letters as 10..35.
    return int("".join(str(int(c, 36)) for c in text)) % 97


def iban_valid(iban: str) -> bool:
    compact = iban.replace(" ", "")
    return len(compact) > 4 and _mod97(compact[4:] + compact[:4]) == 1


def _format_iban(compact: str, rng: random.Random) -> str:
    # The "print format" groups by four; the electronic one has no spaces.
    if rng.random() < 0.5:
        return compact
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def iban(rng: random.Random) -> str:
    country = rng.choice(sorted(_IBAN_LAYOUTS))
    bban = _bban(rng, _IBAN_LAYOUTS[country])
    check = 98 - _mod97(bban + country + "00")
    return _format_iban(f"{country}{check:02d}{bban}", rng)


def iban_decoy(rng: random.Random) -> str:
    """An IBAN-shaped string whose check digits fail mod 97."""
    good = iban(rng).replace(" ", "")
    wrong = (int(good[2:4]) + rng.randint(1, 90)) % 97 + 2
    bad = f"{good[:2]}{wrong:02d}{good[4:]}"
    return bad if not iban_valid(bad) else iban_decoy(rng)


# --- identity and contact ---------------------------------------------------


def ssn(rng: random.Random) -> str:
    # SSA rules since 2011 randomization: area 001-899 except 666, group 01-99,
    # serial 0001-9999.
    area = rng.choice([a for a in range(1, 900) if a != 666])
    body = f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
    return body if rng.random() < 0.85 else body.replace("-", " ")


def ssn_decoy(rng: random.Random) -> str:
    """SSN-shaped but never issued: area 000, 666 or 900-999 (SSA). A 9xx area
    gets a group below 50, which no ITIN uses either (IRS: groups 50-65, 70-88,
    90-92, 94-99), so the number is no tax id of any kind."""
    area = rng.choice([0, 666, rng.randint(900, 999)])
    group = rng.randint(1, 49 if area >= 900 else 99)
    return f"{area:03d}-{group:02d}-{rng.randint(1, 9999):04d}"


# Area codes in service (NANPA); the exchange never starts with 0 or 1.
_NANP_AREAS = ("212", "213", "303", "312", "404", "415", "512", "617", "702", "919")


def phone(rng: random.Random) -> str:
    area, exch, line = rng.choice(_NANP_AREAS), f"{rng.randint(200, 999)}", digits(rng, 4)
    shapes = [
        f"({area}) {exch}-{line}",
        f"{area}-{exch}-{line}",
        f"+1 {area} {exch} {line}",
        f"{area}.{exch}.{line}",
        # Ofcom keeps 020 7946 0xxx and 07700 900xxx for fiction: UK-shaped, never real.
        f"+44 20 7946 0{digits(rng, 3)}",
        f"07700 900{digits(rng, 3)}",
        # German Berlin landline and French mobile numbering plans.
        f"+49 30 {digits(rng, 8)}",
        f"+33 6 {digits(rng, 2)} {digits(rng, 2)} {digits(rng, 2)} {digits(rng, 2)}",
    ]
    return rng.choice(shapes)


_MAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.co.uk", "proton.me", "northwind-traders.com",
                 "acme-logistics.io", "contoso.de", "fabrikam.fr")


def email(rng: random.Random, first: str, last: str) -> str:
    local = rng.choice([f"{first}.{last}", f"{first[0]}{last}", f"{first}{rng.randint(1, 99)}"])
    return f"{local.lower()}@{rng.choice(_MAIL_DOMAINS)}"


def ipv4(rng: random.Random) -> str:
    # A third private (RFC 1918) as in internal logs, the rest public-looking.
    tail = ".".join(str(rng.randint(0, 254)) for _ in range(2)) + f".{rng.randint(1, 254)}"
    first = rng.choice(["10", "192.168", str(rng.randint(1, 223)), str(rng.randint(1, 223))])
    if first == "192.168":
        tail = tail.split(".", 1)[1]
    return f"{first}.{tail}"


# --- credentials -------------------------------------------------------------


def aws_access_key_id(rng: random.Random) -> str:
    # AWS IAM "unique identifiers": AKIA for long-term keys, ASIA for temporary ones.
    return rng.choice(["AKIA", "ASIA"]) + pick(rng, BASE32, 16)


def aws_secret_access_key(rng: random.Random) -> str:
    return pick(rng, BASE64, 40)


def _base62(n: int, width: int) -> str:
    chars = string.digits + string.ascii_uppercase + string.ascii_lowercase
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = chars[r] + out
    return out.rjust(width, "0")


def github_token(rng: random.Random) -> str:
    # GitHub's 2021 token-format post: prefix, 30 random characters, and a CRC32
    # checksum in the last 6; fine-grained PATs are github_pat_<22>_<59>.
    if rng.random() < 0.2:
        return f"github_pat_{pick(rng, ALNUM, 22)}_{pick(rng, ALNUM, 59)}"
    body = pick(rng, ALNUM, 30)
    prefix = rng.choice(["ghp_", "ghp_", "gho_", "ghs_", "ghu_"])
    return prefix + body + _base62(zlib.crc32(body.encode()), 6)


def slack_token(rng: random.Random) -> str:
    # Shapes of Slack's documented token types: bot, user and app-level tokens.
    team, user = digits(rng, rng.randint(10, 12)), digits(rng, rng.randint(10, 13))
    return rng.choice([
        f"xoxb-{team}-{user}-{pick(rng, ALNUM, 24)}",
        f"xoxp-{team}-{user}-{digits(rng, 13)}-{pick(rng, HEX, 32)}",
        f"xapp-1-A{pick(rng, string.ascii_uppercase + string.digits, 10)}-{digits(rng, 13)}-"
        f"{pick(rng, HEX, 64)}",
    ])


def stripe_key(rng: random.Random) -> str:
    # Stripe's API-keys docs: sk_live_ secret keys, rk_live_ restricted keys.
    return rng.choice(["sk_live_", "rk_live_"]) + pick(rng, ALNUM, rng.choice([24, 34, 99]))


def private_key(rng: random.Random) -> str:
    # RFC 7468 textual encoding: base64 body in 64-column lines between labels.
    # OpenSSH's own format (PROTOCOL.key in OpenSSH) starts its binary body with
    # the magic "openssh-key-v1\0" and wraps at 70 columns.
    label = rng.choice(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"])
    size = 121 if label == "EC PRIVATE KEY" else rng.randint(400, 1200)
    raw = rng.randbytes(size)
    width = 64
    if label == "OPENSSH PRIVATE KEY":
        raw, width = b"openssh-key-v1\0" + raw, 70
    body = base64.b64encode(raw).decode()
    lines = [body[i : i + width] for i in range(0, len(body), width)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"])


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jwt(rng: random.Random) -> str:
    # RFC 7519: base64url(header).base64url(claims).base64url(signature).
    alg = rng.choice(["HS256", "RS256", "ES256"])
    header = {"alg": alg, "typ": "JWT"} if rng.random() < 0.7 else {"typ": "JWT", "alg": alg}
    claims = {"sub": digits(rng, 8), "iat": 1_700_000_000 + rng.randint(0, 10**7),
              "scope": rng.choice(["read", "read write", "admin"])}
    parts = [json.dumps(header, separators=(",", ":")).encode(),
             json.dumps(claims, separators=(",", ":")).encode(),
             rng.randbytes(64 if alg == "ES256" else 32 if alg == "HS256" else 256)]
    return ".".join(_b64url(p) for p in parts)


def password(rng: random.Random, url_safe: bool = False) -> str:
    # Symbols kept to ones that need no quoting in env files or (url_safe) URLs.
    symbols = "-_.~!*" if url_safe else "!#%^*-_+=.?@"
    body = pick(rng, ALNUM + symbols, rng.randint(9, 19))
    return body + rng.choice(string.digits)


# --- decoys ------------------------------------------------------------------


def uuid_decoy(rng: random.Random) -> str:
    h = pick(rng, HEX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


def git_sha_decoy(rng: random.Random) -> str:
    return pick(rng, HEX, rng.choice([7, 12, 40]))


def version_decoy(rng: random.Random) -> str:
    major, minor, patch = rng.randint(0, 12), rng.randint(0, 40), rng.randint(0, 30)
    return rng.choice([f"v{major}.{minor}.{patch}",
                       f"{major}.{minor}.{patch}-rc.{rng.randint(1, 5)}",
                       f"{major}.{minor}.{patch}.{rng.randint(1000, 9999)}"])


def order_decoy(rng: random.Random) -> str:
    # A bare 10-digit id starts with 1: with a leading 0 it would be a French or
    # UK phone number in shape, and 2-9 could open a NANP one.
    return rng.choice([f"ORD-{rng.randint(2019, 2025)}-{digits(rng, 6)}",
                       "1" + digits(rng, 9),
                       f"{rng.randint(100, 999)}-{digits(rng, 7)}-{digits(rng, 7)}"])


def epoch_ms_decoy(rng: random.Random) -> str:
    return str(1_600_000_000_000 + rng.randint(0, 10**11))


def password_ref_decoy(rng: random.Random) -> str:
    """What a password setting holds when the secret lives elsewhere."""
    name = rng.choice(["DB_PASSWORD", "SMTP_PASS", "REDIS_PASSWORD"])
    return rng.choice([f"${{{name}}}", "<your-password>", "********", f"$({name.lower()})"])
