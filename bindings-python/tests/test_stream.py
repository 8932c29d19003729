"""`Policy.stream`: a reply redacted chunk by chunk shows exactly what
`Policy.redact` shows for the whole reply, whatever the cutting."""

import asyncio
from typing import AsyncIterator, Iterator, List

import govstream
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

POLICY = govstream.Policy.default()
PIECES = [
    "Here you go: ",
    "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n",
    "mail jane.doe@acme.com, ",
    "card 4111 1111 1111 1111 ",
    "😀 café e\u0301 👩\u200d💻 你好 ",
    "password = \"hunter2-Secret!\"\n",
    "nothing to see here. ",
]


@settings(max_examples=60, deadline=None)
@given(
    st.permutations(PIECES).flatmap(
        lambda ps: st.tuples(st.just("".join(ps)), st.lists(st.integers(0, len("".join(ps).encode())), max_size=25))
    )
)
def test_any_cutting_of_bytes_shows_the_whole_redaction(case: "tuple[str, List[int]]") -> None:
    text, cuts = case
    data = text.encode()
    bounds = sorted(set(cuts)) + [len(data)]
    chunks, at = [], 0
    for b in bounds:
        chunks.append(data[at:b])
        at = b
    s = POLICY.stream(chunks)
    assert "".join(s) == POLICY.redact(text)
    assert s.decision is not None
    whole = POLICY.evaluate(text, phase="response")
    assert [(m.rule_id, m.start, m.end) for m in s.decision.matches] == [
        (m.rule_id, m.start, m.end) for m in whole.matches
    ]
    assert s.decision.verdict == whole.verdict


def test_async_chunks_stream_too() -> None:
    async def reply() -> AsyncIterator[str]:
        for word in "my key is AKIAIOSFODNN7EXAMPLE ok".split(" "):
            yield word + " "

    async def collect() -> str:
        return "".join([piece async for piece in POLICY.stream(reply())])

    assert asyncio.run(collect()) == POLICY.redact("my key is AKIAIOSFODNN7EXAMPLE ok ")


def test_nothing_of_a_secret_shows_before_it_is_whole() -> None:
    text = "the key is AKIAIOSFODNN7EXAMPLE, keep it"

    def chars() -> Iterator[str]:
        yield from text

    shown = ""
    for piece in POLICY.stream(chars()):
        shown += piece
        assert "AKIAI" not in shown
    assert shown == POLICY.redact(text)


def test_prose_is_shown_while_the_reply_streams() -> None:
    # Only what a value still being written could need is held back (a
    # few hundred bytes here), not the policy's 16 KiB bound.
    line = "Nothing secret on this line, just prose about the weather.\n"
    r = POLICY.redactor()
    shown = ""
    most = 0
    for _ in range(60):
        shown += r.push(line)
        most = max(most, r.held_back)
    assert len(shown) > 2000
    assert most < 1024 < r.holdback
    shown += r.finish()
    assert shown == line * 60


def test_a_finished_redactor_refuses_more_and_bad_bytes_are_named() -> None:
    r = POLICY.redactor()
    r.push("hello ")
    assert r.finish() == "hello "
    with pytest.raises(govstream.InputError):
        r.push("more")
    bad = POLICY.redactor()
    with pytest.raises(govstream.InputError) as e:
        bad.push(b"abc\xffdef")
    assert "byte 3" in str(e.value)
    with pytest.raises(govstream.InputError):
        bad.push(3)  # type: ignore[arg-type]
