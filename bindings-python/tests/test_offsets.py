"""Offsets: `text[m.start:m.end]` is the matched value for any text,
astral characters included; byte and UTF-16 offsets agree."""

import govstream
from hypothesis import given, settings
from hypothesis import strategies as st

POLICY = govstream.Policy.default()
SECRETS = ["AKIAIOSFODNN7EXAMPLE", "jane.doe@example.com", "4111 1111 1111 1111"]
# Astral (emoji, ZWJ sequences, math letters), combining marks, CJK, RTL,
# and a few ASCII letters that cannot form a rule's keyword.
FILLER = st.text(alphabet="😀🎉👩‍👩‍👧𝒳𐍈é́中文עבxyzq ", max_size=12)
PIECES = st.lists(st.one_of(st.sampled_from(SECRETS), FILLER), min_size=1, max_size=8)


def check(text: str, matches: list) -> None:  # type: ignore[type-arg]
    utf8 = text.encode("utf-8")
    utf16 = text.encode("utf-16-le")
    for m in matches:
        value = text[m.start : m.end]
        assert value in SECRETS, (text, m)
        assert utf8[m.byte_start : m.byte_end].decode("utf-8") == value
        assert utf16[2 * m.utf16_start : 2 * m.utf16_end].decode("utf-16-le") == value


@settings(max_examples=300, deadline=None)
@given(PIECES)
def test_match_offsets_slice_the_matched_value(pieces: list) -> None:  # type: ignore[type-arg]
    text = " ".join(pieces)
    found = POLICY.scan(text)
    check(text, found)
    check(text, POLICY.evaluate(text).matches)
    # Every secret put in is found, once per occurrence.
    assert sorted(text[m.start : m.end] for m in found) == sorted(p for p in pieces if p in SECRETS)
