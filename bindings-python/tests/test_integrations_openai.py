"""govstream.integrations.openai against the real `openai` package and a
stand-in OpenAI-compatible server on loopback (examples/python/openai_standin.py)."""

import asyncio
import os
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import govstream
from govstream.integrations import BlockedByPolicy

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "python"))

if os.environ.get("GOVSTREAM_REQUIRE_INTEGRATIONS"):
    import openai
else:
    openai = pytest.importorskip("openai")

from openai_standin import StandIn  # noqa: E402

from govstream.integrations.openai import guard  # noqa: E402

POLICY = govstream.Policy.from_dict(
    {
        "org": {"id": "org_test"},
        "actions": {
            "prompt": {"medium": "redact", "high": "redact", "critical": "block"},
            "response": {"medium": "redact", "high": "redact", "critical": "redact"},
        },
    }
)
STRICT = govstream.Policy.from_dict({"actions": {"response": {"critical": "block"}}})

KEY = "AKIAIOSFODNN7EXAMPLE"
EMAIL = "jane.doe@example.com"
# Longer than the stream redactor's hold-back (16 KiB under these
# policies), so text is released before the reply ends.
LONG_REPLY = ("The quarterly numbers look steady across every region. " * 400) + f"Use {KEY} and mail {EMAIL} please."


@pytest.fixture()
def server() -> Iterator[StandIn]:
    with StandIn(chunk_chars=64) as s:
        yield s


@pytest.fixture()
def pipeline() -> Iterator[govstream.Pipeline]:
    with govstream.Pipeline([govstream.Sink.memory("m")]) as p:
        yield p


def events(p: govstream.Pipeline) -> List[Dict[str, Any]]:
    p.flush(timeout=5.0)
    return [r for r in p.memory_records("m") if r.get("record_type") == "event"]


def client(server: StandIn, policy: govstream.Policy = POLICY, **kw: Any) -> Any:
    return guard(openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0), policy, **kw)


def aclient(server: StandIn, policy: govstream.Policy = POLICY, **kw: Any) -> Any:
    return guard(openai.AsyncOpenAI(base_url=server.base_url, api_key="test", max_retries=0), policy, **kw)


def test_prompt_is_redacted_before_it_is_sent(server: StandIn, pipeline: govstream.Pipeline) -> None:
    messages = [
        {"role": "system", "content": "You help."},
        {"role": "user", "content": [{"type": "text", "text": f"mail {EMAIL} today"}]},
    ]
    c = client(server, pipeline=pipeline, context={"user_id": "u_1"})
    c.chat.completions.create(model="gpt-test", messages=messages)
    sent = server.requests[-1]["messages"]
    assert sent[1]["content"][0]["text"] == "mail [REDACTED:pii.email] today"
    assert sent[0]["content"] == "You help."
    # The caller's messages are left as they were.
    assert messages[1]["content"][0]["text"] == f"mail {EMAIL} today"  # type: ignore[index]
    prompts = [e for e in events(pipeline) if e["phase"] == "prompt"]
    assert [e["verdict"] for e in prompts] == ["allow", "redact"]
    assert prompts[1]["user_id"] == "u_1"
    assert prompts[1]["model"] == "gpt-test"
    assert prompts[1]["route"] == "/v1/chat/completions"
    assert prompts[1]["metadata"]["field"] == "messages[1].content[0].text"


def test_blocked_prompt_sends_nothing(server: StandIn, pipeline: govstream.Pipeline) -> None:
    c = client(server, pipeline=pipeline)
    with pytest.raises(BlockedByPolicy) as info:
        c.chat.completions.create(model="m", messages=[{"role": "user", "content": f"why does {KEY} fail"}])
    assert server.requests == []
    err = info.value
    assert err.phase == "prompt" and err.verdict == "block"
    assert err.decision.reason_code == "dlp:secrets.aws_access_key_id"
    assert KEY not in str(err)
    assert [e["event_type"] for e in events(pipeline)] == ["blocked"]


def test_responses_input_items_and_instructions_are_governed(server: StandIn) -> None:
    c = client(server)
    c.responses.create(
        model="m",
        instructions=f"cc {EMAIL}",
        input=[{"role": "user", "content": [{"type": "input_text", "text": f"to {EMAIL}"}]}],
    )
    sent = server.requests[-1]
    assert sent["instructions"] == "cc [REDACTED:pii.email]"
    assert sent["input"][0]["content"][0]["text"] == "to [REDACTED:pii.email]"
    with pytest.raises(BlockedByPolicy):
        c.responses.create(model="m", input=f"key {KEY}")
    assert len(server.requests) == 1


def test_answers_are_redacted(server: StandIn, pipeline: govstream.Pipeline) -> None:
    server.reply = f"Reach {EMAIL} with {KEY}"
    c = client(server, pipeline=pipeline)
    chat = c.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert chat.choices[0].message.content == POLICY.evaluate(server.reply, phase="response").redacted_text
    assert KEY not in chat.choices[0].message.content
    resp = c.responses.create(model="m", input="hi")
    assert resp.output_text == chat.choices[0].message.content
    answers = [e for e in events(pipeline) if e["phase"] == "response"]
    assert [e["verdict"] for e in answers] == ["redact", "redact"]
    assert answers[1]["route"] == "/v1/responses"


def test_blocked_answer_raises(server: StandIn) -> None:
    server.reply = f"the key is {KEY}"
    c = client(server, STRICT)
    with pytest.raises(BlockedByPolicy) as info:
        c.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert info.value.phase == "response"


def test_streamed_chat_is_redacted_chunk_by_chunk(server: StandIn, pipeline: govstream.Pipeline) -> None:
    server.reply = LONG_REPLY
    c = client(server, pipeline=pipeline)
    pieces: List[str] = []
    with c.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}], stream=True) as stream:
        for chunk in stream:
            assert isinstance(chunk, openai.types.chat.ChatCompletionChunk)
            for choice in chunk.choices:
                pieces.append(choice.delta.content or "")
    shown = "".join(pieces)
    assert shown == POLICY.redact(LONG_REPLY)
    assert KEY not in shown and EMAIL not in shown
    # Text was released while the reply was still arriving.
    first = next(i for i, p in enumerate(pieces) if p)
    assert first < len(pieces) - 2
    assert all(KEY not in p for p in pieces)
    answers = [e for e in events(pipeline) if e["phase"] == "response"]
    assert len(answers) == 1 and answers[0]["verdict"] == "redact"
    assert len(stream.decisions) == 1


def test_streamed_responses_events_keep_their_shape(server: StandIn) -> None:
    server.reply = LONG_REPLY
    c = client(server)
    deltas: List[str] = []
    kinds: List[str] = []
    final: Any = None
    for event in c.responses.create(model="m", input="hi", stream=True):
        kinds.append(event.type)
        if event.type == "response.output_text.delta":
            deltas.append(event.delta)
        elif event.type == "response.output_text.done":
            done_text = event.text
        elif event.type == "response.completed":
            final = event.response
    expected = POLICY.redact(LONG_REPLY)
    assert "".join(deltas) == expected
    assert done_text == expected
    assert final.output_text == expected
    assert kinds[-1] == "response.completed"
    assert kinds.index("response.output_text.done") > max(i for i, k in enumerate(kinds) if k.endswith(".delta"))


def test_async_client(server: StandIn, pipeline: govstream.Pipeline) -> None:
    server.reply = LONG_REPLY
    c = aclient(server, pipeline=pipeline, context=lambda call: {"user_id": call.get("user", "anon")})

    async def run() -> str:
        with pytest.raises(BlockedByPolicy):
            await c.chat.completions.create(model="m", messages=[{"role": "user", "content": KEY}])
        stream = await c.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], stream=True, user="u_9"
        )
        text = ""
        async for chunk in stream:
            text += "".join(ch.delta.content or "" for ch in chunk.choices)
        resp = await c.responses.create(model="m", input="hi", govstream_context={"session_id": "s_1"})
        assert resp.output_text == POLICY.evaluate(LONG_REPLY, phase="response").redacted_text
        return text

    assert asyncio.run(run()) == POLICY.redact(LONG_REPLY)
    assert "govstream_context" not in server.requests[-1]
    evs = events(pipeline)
    assert evs[0]["event_type"] == "blocked" and evs[0]["user_id"] == "anon"
    assert any(e.get("user_id") == "u_9" and e["phase"] == "response" for e in evs)
    assert evs[-1]["session_id"] == "s_1"


def test_streamed_answer_stopped_by_policy_raises_after_the_safe_text(server: StandIn) -> None:
    server.reply = LONG_REPLY
    c = client(server, STRICT)
    shown = ""
    with pytest.raises(BlockedByPolicy) as info:
        for chunk in c.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}], stream=True):
            shown += "".join(ch.delta.content or "" for ch in chunk.choices)
    assert info.value.phase == "response"
    assert KEY not in shown and shown == STRICT.redact(LONG_REPLY)


def test_guard_checks_its_arguments(server: StandIn) -> None:
    with pytest.raises(TypeError):
        guard(object(), POLICY)
    with pytest.raises(TypeError):
        guard(openai.OpenAI(base_url=server.base_url, api_key="t"), {"actions": {}})  # type: ignore[arg-type]
    c = client(server)
    with pytest.raises(ValueError):
        guard(c, POLICY)


def test_sdk_helpers_have_their_prompts_governed(server: StandIn, pipeline: govstream.Pipeline) -> None:
    c = client(server, pipeline=pipeline)
    with pytest.raises(BlockedByPolicy):
        c.chat.completions.stream(model="m", messages=[{"role": "user", "content": KEY}])
    with pytest.raises(BlockedByPolicy):
        c.responses.parse(model="m", input=KEY)
    assert server.requests == []
    with c.chat.completions.stream(model="m", messages=[{"role": "user", "content": f"to {EMAIL}"}]) as stream:
        final = stream.get_final_completion()
    assert server.requests[-1]["messages"][0]["content"] == "to [REDACTED:pii.email]"
    assert final.choices[0].message.content == "You said: to [REDACTED:pii.email]"

    async def run() -> None:
        a = aclient(server)
        with pytest.raises(BlockedByPolicy):
            await a.chat.completions.parse(model="m", messages=[{"role": "user", "content": KEY}])

    asyncio.run(run())
    assert len(server.requests) == 1


def test_messages_as_iterables_and_sdk_objects_are_scanned(server: StandIn) -> None:
    server.reply = f"write to {EMAIL}"
    c = client(server, govstream.Policy.from_dict({"actions": {"prompt": {"medium": "block"}}}))
    # A previous answer's message object, appended to the history as SDK
    # users do (taken from an unguarded client, so its text is raw).
    plain = openai.OpenAI(base_url=server.base_url, api_key="t", max_retries=0)
    message = plain.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}]).choices[0].message
    with pytest.raises(BlockedByPolicy):
        c.chat.completions.create(model="m", messages=[message, {"role": "user", "content": "ok"}])
    with pytest.raises(BlockedByPolicy):
        c.chat.completions.create(model="m", messages=(m for m in [{"role": "user", "content": EMAIL}]))
    with pytest.raises(BlockedByPolicy):
        c.responses.create(model="m", input=({"role": "user", "content": EMAIL},))
    assert len(server.requests) == 1  # the unguarded call only


def test_a_client_with_other_options_stays_guarded(server: StandIn, pipeline: govstream.Pipeline) -> None:
    c = client(server, pipeline=pipeline)
    with pytest.raises(BlockedByPolicy):
        c.with_options(timeout=5.0).chat.completions.create(model="m", messages=[{"role": "user", "content": KEY}])
    with pytest.raises(BlockedByPolicy):
        c.copy(max_retries=1).with_options(timeout=3.0).responses.create(model="m", input=KEY)
    assert server.requests == []
    assert len(events(pipeline)) == 2
