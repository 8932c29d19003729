"""The four scanners under comparison, each behind the same two calls: `scan` is
the library call that is timed, `findings` turns its result into labelled spans
(untimed). Labels are mapped onto the corpus classes here and nowhere else.
"""

import os

# tldextract (used by Presidio's e-mail recognizer) builds its module-level
# extractor at import time from this variable; empty means it never fetches the
# Public Suffix List and uses the snapshot it ships. Must precede every import
# that may pull tldextract in.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

import contextlib  # noqa: E402
import re  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any, Callable, Dict, FrozenSet, List, Tuple  # noqa: E402

import govstream  # noqa: E402


@dataclass(frozen=True)
class Finding:
    """One reported span; `cls` is a corpus class, or "" for labels that have none."""

    label: str
    cls: str
    start: int
    end: int


@dataclass(frozen=True)
class Tool:
    name: str
    config: str
    scan: Callable[[str], Any]
    findings: Callable[[str, Any], List[Finding]]
    # The corpus classes the tool has any label for.
    classes: FrozenSet[str]


# govstream rule ids (and so the plain-`re` rules) onto corpus classes. The
# generic "X assignment" rules join `password`: the corpus plants passwords as
# assignments, and that is the class they exist for.
_RULE_CLASSES = {
    "pii.email": "email", "pii.us_ssn": "us_ssn", "pii.us_ssn_unformatted": "us_ssn",
    "pii.ipv4": "ipv4", "financial.iban": "iban", "secrets.jwt": "jwt",
    "secrets.aws_access_key_id": "aws_key", "secrets.aws_secret_access_key": "aws_key",
    "secrets.jwt_assignment": "jwt",
    "secrets.slack_bot_token": "slack_token", "secrets.slack_user_token": "slack_token",
    "secrets.slack_app_token": "slack_token", "secrets.slack_config_token": "slack_token",
    "secrets.slack_legacy_token": "slack_token", "secrets.putty_private_key": "private_key",
    "secrets.stripe_live_key": "stripe_key",
    "secrets.stripe_test_key": "stripe_key", "secrets.private_key": "private_key",
    "secrets.openssh_private_key": "private_key", "secrets.pgp_private_key": "private_key",
    "secrets.password_assignment": "password", "secrets.secret_assignment": "password",
    "secrets.api_key_assignment": "password", "secrets.token_assignment": "password",
    "secrets.key_assignment": "password", "secrets.slack_session_token": "slack_token",
    "secrets.connection_string_password": "password", "secrets.url_credentials": "password",
    "secrets.database_connection_string": "password",
}
_RULE_PREFIXES = {"pii.phone_": "phone", "financial.card_": "credit_card",
                  "secrets.github_": "github_token"}


def rule_class(rule_id: str) -> str:
    if rule_id in _RULE_CLASSES:
        return _RULE_CLASSES[rule_id]
    return next((c for p, c in _RULE_PREFIXES.items() if rule_id.startswith(p)), "")


def _rule_classes() -> FrozenSet[str]:
    return frozenset(rule_class(r["id"]) for r in govstream.builtin_rules()) - {""}


def govstream_tool() -> Tool:
    policy = govstream.Policy.default()

    def findings(_text: str, matches: List[govstream.Match]) -> List[Finding]:
        return [Finding(m.rule_id, rule_class(m.rule_id), m.start, m.end) for m in matches]

    rules = len(govstream.builtin_rules())
    return Tool("govstream", f"Policy.default().scan(text): {rules} built-in rules with keyword "
                "prefilter, validators and context", policy.scan, findings, _rule_classes())


_PRESIDIO_CLASSES = {"EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone", "US_SSN": "us_ssn",
                     "CREDIT_CARD": "credit_card", "IBAN_CODE": "iban", "IP_ADDRESS": "ipv4"}


def presidio_tool() -> Tool:
    import spacy
    import tldextract.tldextract
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    if tldextract.tldextract.TLD_EXTRACTOR.suffix_list_urls:
        raise RuntimeError("tldextract would fetch the suffix list: import order is wrong")
    # The engine's `load()` would spacy.load (and download) a model; giving it a
    # loaded blank pipeline skips that. Tokens come from the blank tokenizer, so
    # lemmas are empty and context words never boost a score.
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "blank:en"}])
    engine.nlp = {"en": spacy.blank("en")}  # type: ignore[assignment]  # typed None until load()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=engine)
    # The NER recognizer would only echo the (empty) entities of a blank pipeline.
    registry.remove_recognizer("SpacyRecognizer")
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])
    names = ", ".join(sorted(type(r).__name__.removesuffix("Recognizer")
                             for r in registry.recognizers))

    def scan(text: str) -> List[RecognizerResult]:
        return analyzer.analyze(text=text, language="en")

    def findings(_text: str, results: List[RecognizerResult]) -> List[Finding]:
        return [Finding(r.entity_type, _PRESIDIO_CLASSES.get(r.entity_type, ""), r.start, r.end)
                for r in results]

    return Tool("presidio", f"AnalyzerEngine.analyze(text, 'en'), spacy.blank('en'), "
                f"default English recognizers without NER: {names}", scan, findings,
                frozenset(_PRESIDIO_CLASSES.values()))


_DS_CLASSES = {"AWS Access Key": "aws_key", "GitHub Token": "github_token",
               "Slack Token": "slack_token", "Stripe Access Key": "stripe_key",
               "Private Key": "private_key", "JSON Web Token": "jwt",
               "Secret Keyword": "password", "Basic Auth Credentials": "password",
               "Public IP (ipv4)": "ipv4"}

# Kept open for the life of the process: detect-secrets reads its plugin and
# filter configuration from global settings.
_settings = contextlib.ExitStack()


def detect_secrets_tool() -> Tool:
    from detect_secrets.core.potential_secret import PotentialSecret
    from detect_secrets.core.scan import _process_line_based_plugins
    from detect_secrets.settings import default_settings

    _settings.enter_context(default_settings())

    # The line loop `detect-secrets scan` runs on each file, fed from memory. The
    # public `scan_line` is the ad-hoc `--string` mode instead: when a line has no
    # quoted string it returns every word unfiltered by the entropy limit.
    def scan(text: str) -> List[PotentialSecret]:
        lines = list(enumerate(text.splitlines(), start=1))
        return list(_process_line_based_plugins(lines, filename="prompt.txt"))

    def findings(text: str, secrets: List[PotentialSecret]) -> List[Finding]:
        lines = text.splitlines(keepends=True)
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line))
        out = []
        for secret in secrets:
            line, offset = lines[secret.line_number - 1], starts[secret.line_number - 1]
            value = secret.secret_value or ""
            at = line.find(value) if value else -1
            # A value the plugin rewrote (or none) is placed on its whole line.
            start, end = (at, at + len(value)) if at >= 0 else (0, len(line.rstrip("\r\n")))
            out.append(Finding(secret.type, _DS_CLASSES.get(secret.type, ""),
                               offset + start, offset + end))
        return out

    return Tool("detect-secrets", "its per-file line scan (all plugins, default filters "
                "under default_settings()) on the prompt's lines as file prompt.txt",
                scan, findings, frozenset(_DS_CLASSES.values()))


def translate(pattern: str) -> str:
    """Rust-`regex` syntax that has a same-meaning spelling in Python's `re`."""
    return re.sub(r"\(\?<(?=[A-Za-z_])", "(?P<", pattern).replace(r"\z", r"\Z")


def compile_rules() -> Tuple[List[Tuple[str, "re.Pattern[str]"]], Dict[str, str]]:
    """Every built-in rule `re` accepts, and why each other one was skipped."""
    compiled, skipped = [], {}
    for rule in govstream.builtin_rules():
        try:
            compiled.append((rule["id"], re.compile(translate(rule["pattern"]), re.ASCII)))
        except re.error as err:
            skipped[rule["id"]] = str(err)
    return compiled, skipped


def close() -> None:
    """Restores detect-secrets' settings; call before the interpreter exits."""
    _settings.close()


def re_tool() -> Tuple[Tool, Dict[str, str]]:
    rules, skipped = compile_rules()
    Hit = Tuple[str, "re.Match[str]"]

    def scan(text: str) -> List[Hit]:
        return [(rule_id, m) for rule_id, pattern in rules for m in pattern.finditer(text)]

    def findings(_text: str, hits: List[Hit]) -> List[Finding]:
        # Rules that name a `value` group report that group, as govstream does.
        spans = [(rid, m.span("value") if _has_value(m) else m.span()) for rid, m in hits]
        return [Finding(rid, rule_class(rid), s, e) for rid, (s, e) in spans]

    config = (f"{len(rules)} of {len(rules) + len(skipped)} govstream rule patterns, "
              "re.ASCII, finditer over the whole prompt; no prefilter, validator or context")
    return Tool("re", config, scan, findings, _rule_classes()), skipped


def _has_value(m: "re.Match[str]") -> bool:
    return "value" in m.re.groupindex and m.group("value") is not None


def all_tools() -> Tuple[List[Tool], Dict[str, str]]:
    """The tools in table order, and the rules plain `re` could not compile."""
    plain_re, skipped = re_tool()
    return [govstream_tool(), presidio_tool(), detect_secrets_tool(), plain_re], skipped

