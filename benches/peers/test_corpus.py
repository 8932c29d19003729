"""The corpus is only as good as its ground truth: these check that every planted
span is where it claims to be and that planted values and decoys are on the
right side of each format's checksum."""

import random
import re
import zlib
from typing import List

import pytest

import corpus
import formats
from corpus import Prompt, Span

SEED = 20240605


@pytest.fixture(scope="module")
def prompts() -> List[Prompt]:
    return corpus.generate(250, SEED)


def spans(prompts: List[Prompt], kind: str, decoy: bool) -> List[Span]:
    found = [s for p in prompts for s in p.spans if s.kind == kind and s.decoy == decoy]
    assert found, f"the corpus planted no {'decoy' if decoy else 'value'} of kind {kind}"
    return found


def test_every_span_slices_to_its_value(prompts: List[Prompt]) -> None:
    for p in prompts:
        for s in p.spans:
            assert p.text[s.start : s.end] == s.value, (p.kind, s)


def test_spans_do_not_overlap(prompts: List[Prompt]) -> None:
    # Overlapping ground truth would let one finding count for two values.
    for p in prompts:
        ordered = sorted(p.spans, key=lambda s: s.start)
        for a, b in zip(ordered, ordered[1:]):
            assert a.end <= b.start, (a, b)


def test_every_class_and_kind_is_planted(prompts: List[Prompt]) -> None:
    assert {s.kind for p in prompts for s in p.spans if not s.decoy} == set(corpus.CLASSES)
    assert {p.kind for p in prompts} == set(corpus.KINDS)


def test_prompt_sizes_stay_in_range(prompts: List[Prompt]) -> None:
    for p in prompts:
        assert corpus.MIN_BYTES <= len(p.text.encode()) <= corpus.MAX_BYTES, p.kind


def test_offsets_are_code_points_not_bytes(prompts: List[Prompt]) -> None:
    # Accented names must occur before some span, or the unit would go untested.
    assert any(not p.text[: s.start].isascii() for p in prompts for s in p.spans)


def test_same_seed_same_corpus_other_seed_other_corpus() -> None:
    assert corpus.generate(20, 5) == corpus.generate(20, 5)
    assert corpus.generate(20, 5) != corpus.generate(20, 6)


def test_planted_cards_pass_luhn_and_decoys_fail(prompts: List[Prompt]) -> None:
    for s in spans(prompts, "credit_card", decoy=False):
        assert formats.luhn_valid(s.value), s.value
    for s in spans(prompts, "card", decoy=True):
        assert not formats.luhn_valid(s.value), s.value


def test_luhn_against_published_vectors() -> None:
    # Test numbers the card networks publish for integration testing.
    assert formats.luhn_valid("4111 1111 1111 1111")
    assert formats.luhn_valid("378282246310005")
    assert not formats.luhn_valid("4111 1111 1111 1112")


def test_planted_ibans_pass_mod97_and_decoys_fail(prompts: List[Prompt]) -> None:
    for s in spans(prompts, "iban", decoy=False):
        assert formats.iban_valid(s.value), s.value
    for s in spans(prompts, "iban", decoy=True):
        assert not formats.iban_valid(s.value), s.value


def test_iban_against_published_vectors() -> None:
    # Examples from the SWIFT IBAN Registry.
    assert formats.iban_valid("DE89370400440532013000")
    assert formats.iban_valid("GB29 NWBK 6016 1331 9268 19")
    assert formats.iban_valid("CH9300762011623852957")
    assert not formats.iban_valid("DE88370400440532013000")


def test_planted_ssns_follow_ssa_rules_and_decoys_do_not(prompts: List[Prompt]) -> None:
    for s in spans(prompts, "us_ssn", decoy=False):
        area, group, serial = (int(x) for x in re.split(r"[- ]", s.value))
        assert 1 <= area <= 899 and area != 666 and group > 0 and serial > 0, s.value
    for s in spans(prompts, "ssn", decoy=True):
        area, group, _ = (int(x) for x in s.value.split("-"))
        assert area in (0, 666) or (area >= 900 and group < 50), s.value


def test_github_tokens_carry_their_checksum() -> None:
    rng = random.Random(3)
    classic = [t for t in (formats.github_token(rng) for _ in range(50)) if t[3] == "_"]
    assert classic
    for token in classic:
        body = token[4:-6]
        assert token[-6:] == formats._base62(zlib.crc32(body.encode()), 6)


def test_private_keys_are_whole_pem_blocks(prompts: List[Prompt]) -> None:
    for s in spans(prompts, "private_key", decoy=False):
        label = re.fullmatch(r"-----BEGIN ([A-Z ]+)-----\n[A-Za-z0-9+/=\n]+\n-----END \1-----",
                             s.value)
        assert label, s.value[:60]


def test_jwts_decode_to_json_headers(prompts: List[Prompt]) -> None:
    import base64
    import json

    for s in spans(prompts, "jwt", decoy=False):
        head = s.value.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
        assert header["typ"] == "JWT", header


def test_password_decoys_hold_no_password(prompts: List[Prompt]) -> None:
    for s in spans(prompts, "password_ref", decoy=True):
        assert re.fullmatch(r"\$\{\w+\}|\$\(\w+\)|<your-password>|\*+", s.value), s.value
