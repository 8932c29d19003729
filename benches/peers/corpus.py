"""A seeded corpus of prompts with planted values and their exact spans.

Five kinds of prompt (questions, code, config files, logs, support tickets) are
assembled from templates whose `<<slot>>` markers are filled by `formats`. A slot
is either a planted value of a ground-truth class, a decoy (same shape, not a
finding), or neutral filler. Spans are Python string indices (code points), the
unit every tool under comparison reports in.

    python corpus.py --prompts 5 --seed 7     # print a few prompts with their spans
"""

import argparse
import random
import re
from dataclasses import dataclass
from typing import Callable, Dict, List, Tuple

import formats as f

MIN_BYTES, MAX_BYTES = 512, 4096

# Ground-truth classes, in the order tables print them.
CLASSES = ("email", "phone", "us_ssn", "credit_card", "iban", "ipv4", "aws_key",
           "github_token", "slack_token", "stripe_key", "private_key", "jwt", "password")


@dataclass(frozen=True)
class Span:
    """A planted value (`decoy` False: its `kind` is a class) or a decoy."""

    kind: str
    start: int
    end: int
    value: str
    decoy: bool


@dataclass(frozen=True)
class Prompt:
    kind: str
    text: str
    spans: Tuple[Span, ...]


# (first, last, ascii first, ascii last): display names carry accents so that
# code-point offsets differ from byte offsets; e-mail local parts are ASCII.
_PEOPLE = (("José", "Müller", "jose", "mueller"), ("Zoë", "Okafor", "zoe", "okafor"),
           ("Łukasz", "Nowak", "lukasz", "nowak"), ("Priya", "Raman", "priya", "raman"),
           ("Søren", "Larsen", "soren", "larsen"), ("Maria", "García", "maria", "garcia"),
           ("Wei", "Chen", "wei", "chen"), ("Aisha", "Bello", "aisha", "bello"),
           ("Tom", "Hughes", "tom", "hughes"), ("François", "Dubois", "francois", "dubois"))
_CITIES = ("Zürich", "São Paulo", "Leeds", "Austin", "Lyon", "Kraków", "Osaka", "Nairobi")
_PRODUCTS = ("billing service", "React dashboard", "Django API", "Kafka consumer",
             "Terraform module", "mobile app", "ETL job", "Slack bot", "CLI tool")

Slot = Tuple[str, Callable[[random.Random], str]]
# role: a class name (planted), "decoy:<kind>", or "" (filler).
SLOTS: Dict[str, Slot] = {
    "phone": ("phone", f.phone), "ssn": ("us_ssn", f.ssn), "card": ("credit_card", f.card),
    "iban": ("iban", f.iban), "ipv4": ("ipv4", f.ipv4), "jwt": ("jwt", f.jwt),
    "aws_id": ("aws_key", f.aws_access_key_id), "aws_secret": ("aws_key", f.aws_secret_access_key),
    "github": ("github_token", f.github_token), "slack": ("slack_token", f.slack_token),
    "stripe": ("stripe_key", f.stripe_key), "private_key": ("private_key", f.private_key),
    "password": ("password", f.password),
    "url_password": ("password", lambda rng: f.password(rng, url_safe=True)),
    "email": ("email", lambda rng: f.email(rng, *rng.choice(_PEOPLE)[2:])),
    "d:card": ("decoy:card", f.card_decoy), "d:iban": ("decoy:iban", f.iban_decoy),
    "d:ssn": ("decoy:ssn", f.ssn_decoy), "d:uuid": ("decoy:uuid", f.uuid_decoy),
    "d:sha": ("decoy:git_sha", f.git_sha_decoy), "d:version": ("decoy:version", f.version_decoy),
    "d:order": ("decoy:order", f.order_decoy), "d:epoch": ("decoy:epoch_ms", f.epoch_ms_decoy),
    "d:pwref": ("decoy:password_ref", f.password_ref_decoy),
    "name": ("", lambda rng: " ".join(rng.choice(_PEOPLE)[:2])),
    "city": ("", lambda rng: rng.choice(_CITIES)),
    "product": ("", lambda rng: rng.choice(_PRODUCTS)),
    "n": ("", lambda rng: str(rng.randint(2, 500))),
    "date": ("", lambda rng: f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"),
    "time": ("", lambda rng: f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
                             f"{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d}"),
}

_SLOT = re.compile(r"<<([a-z_0-9:]+)>>")


def fill(template: str, rng: random.Random) -> Tuple[str, List[Span]]:
    """Fills a template's slots; returns the text and spans relative to it."""
    out: List[str] = []
    spans: List[Span] = []
    pos = last = 0
    for m in _SLOT.finditer(template):
        literal = template[last : m.start()]
        out.append(literal)
        pos += len(literal)
        role, make = SLOTS[m.group(1)]
        value = make(rng)
        if role:
            decoy = role.startswith("decoy:")
            spans.append(Span(role.removeprefix("decoy:"), pos, pos + len(value), value, decoy))
        out.append(value)
        pos += len(value)
        last = m.end()
    out.append(template[last:])
    return "".join(out), spans


# Each kind: opening templates, body templates (drawn until the prompt is long
# enough), closing templates.
_PROSE = [
    "The function returns early when the list is empty, which hides the real error. ",
    "Memory grows by roughly <<n>> MB an hour until the pod is killed. ",
    "We cannot change the database schema before the next release. ",
    "Ideally the fix should not need a new dependency. ",
    "What I expect: the report lists every region, sorted by revenue. ",
    "Is there a way to make the retries idempotent without a distributed lock? ",
    "Our CI takes <<n>> minutes and most of it is the integration suite. ",
    "I read that connection pooling could help but I am not sure how to size the pool. ",
    "We run the <<product>> in <<city>> and it has been flaky since <<date>>. ",
    "Our team of <<n>> engineers is split between <<city>> and <<city>>. ",
    "I already tried restarting the service and clearing the cache, no luck. ",
    "The docs say the retry policy defaults to exponential backoff but I see fixed delays. ",
    "Could it be a timezone issue? The jobs that fail all start around midnight UTC. ",
    "We upgraded to <<d:version>> last week, the changelog mentions nothing relevant. ",
    "Please keep the answer short, I have to present this to <<name>> tomorrow. ",
    "The ticket <<d:order>> has more background if you need it. ",
    "What is the idiomatic way to structure this so that it stays testable? ",
    "Performance is fine locally (about <<n>> ms per request) but not in staging. 🙂 ",
    "The customer, <<name>>, can be reached at <<email>> or <<phone>>. ",
    "For the record the invoice went to <<email>> and was paid from <<iban>>. ",
    "Our on-call phone is <<phone>>; the fallback is <<phone>>. ",
    "The server at <<ipv4>> returns 502 while <<ipv4>> is fine. ",
]
_CODE = [
    "def load_orders(path):\n    with open(path, encoding=\"utf-8\") as fh:\n"
    "        return [json.loads(line) for line in fh]\n",
    "class RateLimiter:\n    def __init__(self, per_second):\n        self.tokens = per_second\n",
    "logger.info(\"processed %d orders in %.1fs\", count, elapsed)\n",
    "    results = sorted(results, key=lambda r: (r.region, -r.revenue))\n",
    "@app.get(\"/health\")\ndef health():\n    return {\"status\": \"ok\"}\n",
    "retry = Retry(total=5, backoff_factor=0.5, status_forcelist=[502, 503, 504])\n",
    "    for item in order.items:\n        total += item.price * item.quantity\n",
    "    if not response.ok:\n"
    "        raise RuntimeError(f\"upload failed: {response.status_code}\")\n",
    "REQUEST_ID = \"<<d:uuid>>\"  # pinned for the replay test\n",
    "# regression introduced in <<d:sha>>, fixed by <<d:sha>>\n",
    "__version__ = \"<<d:version>>\"\n",
    "s3 = boto3.client(\"s3\", aws_access_key_id=\"<<aws_id>>\",\n"
    "                  aws_secret_access_key=\"<<aws_secret>>\")\n",
    "gh = Github(\"<<github>>\")\n",
    "client = WebClient(token=\"<<slack>>\")\n",
    "stripe.api_key = \"<<stripe>>\"\n",
    "conn = psycopg2.connect(host=\"<<ipv4>>\", user=\"app\", password=\"<<password>>\")\n",
    "db_password = os.environ.get(\"DB_PASSWORD\", \"<<d:pwref>>\")\n",
    "headers = {\"Authorization\": \"Bearer <<jwt>>\"}\n",
    "SIGNING_KEY = \"\"\"<<private_key>>\n\"\"\"\n",
    "TEST_ORDER = <<d:order>>\nCREATED_MS = <<d:epoch>>\n",
    "assert parse_card(\"<<d:card>>\") is None  # bad check digit\n",
    "const apiToken = \"<<github>>\";\n"
    "fetch(url, { headers: { Authorization: `token ${apiToken}` } });\n",
]
_CONFIG = [
    "server:\n  port: 8080\n  workers: <<n>>\n  timeout_seconds: 30\n",
    "FEATURE_FLAGS=new_checkout,fast_search\nMAX_UPLOAD_MB=<<n>>\n",
    "logging:\n  level: info\n  format: json\n",
    "[worker]\nconcurrency = 4\nprefetch = <<n>>\n",
    "cron:\n  nightly_report: \"0 3 * * *\"\n",
    "APP_ENV=production\nAPP_VERSION=<<d:version>>\nLOG_LEVEL=info\n",
    "DATABASE_URL=postgres://orders:<<url_password>>@<<ipv4>>:5432/orders\n",
    "AWS_ACCESS_KEY_ID=<<aws_id>>\nAWS_SECRET_ACCESS_KEY=<<aws_secret>>\n",
    "SLACK_BOT_TOKEN=<<slack>>\nGITHUB_TOKEN=<<github>>\n",
    "STRIPE_SECRET_KEY=<<stripe>>\nSMTP_PASSWORD=<<password>>\n",
    "ADMIN_EMAIL=<<email>>\nALLOWED_IPS=<<ipv4>>,<<ipv4>>\nBUILD_SHA=<<d:sha>>\n",
    "REDIS_PASSWORD=<<d:pwref>>\nCACHE_TTL_SECONDS=<<n>>\n",
    "database:\n  host: <<ipv4>>\n  port: 5432\n  user: reporting\n  password: \"<<password>>\"\n",
    "smtp:\n  host: smtp.mail.example\n  username: <<email>>\n  password: <<d:pwref>>\n",
    "# server.key\n<<private_key>>\n",
    "{\"service\": \"billing\", \"release\": \"<<d:version>>\", \"trace\": \"<<d:uuid>>\"}\n",
    "spring.datasource.password=<<password>>\n"
    "spring.datasource.url=jdbc:mysql://<<ipv4>>:3306/app\n",
]
_LOG = [
    "<<date>>T<<time>>Z INFO  http GET /api/v1/orders 200 <<n>>ms\n",
    "<<date>>T<<time>>Z INFO  scheduler job nightly_report started\n",
    "<<date>>T<<time>>Z WARN  db slow query took <<n>> ms table=orders\n",
    "<<date>>T<<time>>Z INFO  cache hit ratio 0.93 evictions=<<n>>\n",
    "<<date>>T<<time>>Z ERROR worker task failed: TimeoutError after 30s, retrying\n",
    "<<date>>T<<time>>Z INFO  api.orders request_id=<<d:uuid>> ip=<<ipv4>> user=<<email>> "
    "status=200\n",
    "<<date>>T<<time>>Z WARN  payments declined card=<<card>> order=<<d:order>> retry=<<n>>\n",
    "<<date>>T<<time>>Z DEBUG auth incoming header Authorization: Bearer <<jwt>>\n",
    "<<date>>T<<time>>Z ERROR deploy rollback commit=<<d:sha>> version=<<d:version>>\n",
    "<<date>>T<<time>>Z INFO  kyc verified ssn=<<ssn>> phone=\"<<phone>>\"\n",
    "<<date>>T<<time>>Z INFO  sync finished in <<n>> ms ts=<<d:epoch>> batch=<<d:order>>\n",
    "<<date>>T<<time>>Z WARN  webhook retry to https://<<ipv4>>/hooks id=<<d:uuid>>\n",
    "<<date>>T<<time>>Z INFO  payout iban=<<iban>> ref=<<d:order>>\n",
    "<<date>>T<<time>>Z ERROR payments luhn check failed for <<d:card>>\n",
    "<<date>>T<<time>>Z INFO  gc pause <<n>> ms heap=<<n>>MB\n",
]
_TICKET = [
    "The app keeps logging me out every few minutes. ",
    "I contacted you last week and nobody replied. ",
    "The parcel was supposed to arrive on <<date>> but tracking shows nothing. ",
    "I would like to close my account once the refund arrives. ",
    "Hi, I was charged twice on my card <<card>> for order <<d:order>>. ",
    "Please send the refund to <<iban>> instead, the card is cancelled. ",
    "You can call me on <<phone>> after 5pm. ",
    "For the tax form they asked for my SSN, it is <<ssn>>. ",
    "My reference number is <<d:ssn>> according to the letter. ",
    "The app version on my phone is <<d:version>>. ",
    "I also tried the IBAN <<d:iban>> that your agent gave me but the bank rejected it. ",
    "The number printed on the statement is <<d:card>>, which I do not recognise. ",
    "Reply to <<email>> please, not to my work address. ",
    "I have been a customer in <<city>> for <<n>> years and this never happened before. ",
    "Honestly I expected better support. ",
]
KINDS: Dict[str, Tuple[List[str], List[str], List[str]]] = {
    "question": (["Hi! A question about our <<product>>. "], _PROSE,
                 ["\nThanks, <<name>>\n"]),
    "code": (["Why does this fail? I am on <<d:version>>.\n```python\n"], _CODE,
             ["```\nCan you refactor it and explain the bug?\n"]),
    "config": (["Review this config for the <<product>> and tell me what is wrong:\n```\n"],
               _CONFIG, ["```\n"]),
    "log": (["Summarise these logs from <<city>> and tell me the root cause:\n```\n"], _LOG,
            ["```\n"]),
    "ticket": (["Subject: refund request\nFrom: <<name>> <<<email>>>\n\n"], _TICKET,
               ["\nRegards,\n<<name>>\n"]),
}


# Share of body templates drawn from those with neither a planted value nor a
# decoy: real prompts are mostly ordinary text, and a scanner's speed depends on
# how much of its input is.
PLAIN_SHARE = 0.75


def _is_plain(template: str) -> bool:
    return all(not SLOTS[slot][0] for slot in _SLOT.findall(template))


def _draw(rng: random.Random, body: List[str]) -> str:
    plain = rng.random() < PLAIN_SHARE
    return rng.choice([t for t in body if _is_plain(t) == plain])


def _prompt(rng: random.Random, kind: str) -> Prompt:
    openers, body, closers = KINDS[kind]
    target = rng.randint(MIN_BYTES, MAX_BYTES - 256)
    pieces = [fill(rng.choice(openers), rng)]
    size = len(pieces[0][0].encode())
    closing = fill(rng.choice(closers), rng)
    limit = MAX_BYTES - len(closing[0].encode())
    # A drawn template that would overflow the cap is skipped, not cut, so every
    # planted value stays whole.
    for _ in range(400):
        if size >= target:
            break
        piece = fill(_draw(rng, body), rng)
        grown = size + len(piece[0].encode())
        if grown <= limit:
            pieces.append(piece)
            size = grown
    pieces.append(closing)
    return _join(kind, pieces)


def _join(kind: str, pieces: List[Tuple[str, List[Span]]]) -> Prompt:
    text: List[str] = []
    spans: List[Span] = []
    offset = 0
    for piece_text, piece_spans in pieces:
        spans.extend(Span(s.kind, s.start + offset, s.end + offset, s.value, s.decoy)
                     for s in piece_spans)
        text.append(piece_text)
        offset += len(piece_text)
    return Prompt(kind, "".join(text), tuple(spans))


def generate(prompts: int, seed: int) -> List[Prompt]:
    """`prompts` prompts, the same for the same seed on any machine."""
    rng = random.Random(seed)
    kinds = sorted(KINDS)
    return [_prompt(rng, kinds[i % len(kinds)]) for i in range(prompts)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for p in generate(args.prompts, args.seed):
        print(f"===== {p.kind}, {len(p.text.encode())} bytes =====\n{p.text}")
        for s in p.spans:
            print(f"  {'decoy' if s.decoy else 'plant'} {s.kind} [{s.start}:{s.end}] {s.value!r}")


if __name__ == "__main__":
    main()
