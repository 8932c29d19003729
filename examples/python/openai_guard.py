"""The OpenAI SDK, governed: `guard(client, policy)` evaluates every prompt
before it leaves and every answer before the caller sees it, and redacts
streamed answers chunk by chunk. Runs against a stand-in OpenAI-compatible
server on loopback (examples/python/openai_standin.py): no network, no key.

    python examples/python/openai_guard.py
"""

import asyncio

import openai
from openai_standin import StandIn

import govstream
from govstream.integrations import BlockedByPolicy
from govstream.integrations.openai import guard

POLICY = govstream.Policy.from_dict(
    {
        "org": {"id": "org_acme"},
        "actions": {
            "prompt": {"medium": "redact", "high": "redact", "critical": "block"},
            "response": {"medium": "redact", "high": "redact", "critical": "redact"},
        },
    }
)


def sync_calls(server: StandIn, pipeline: govstream.Pipeline) -> None:
    client = guard(
        openai.OpenAI(base_url=server.base_url, api_key="not-used", max_retries=0),
        POLICY,
        pipeline=pipeline,
        context={"user_id": "u_42", "tool": "chat-gateway"},
    )
    # A prompt with an email address goes out redacted.
    reply = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Draft a note to jane.doe@example.com"}]
    )
    print("sent:    ", server.requests[-1]["messages"][0]["content"])
    print("answer:  ", reply.choices[0].message.content)
    assert "jane.doe@example.com" not in server.requests[-1]["messages"][0]["content"]

    # A prompt with a cloud key never leaves.
    try:
        client.responses.create(model="gpt-4o-mini", input="Why does AKIAIOSFODNN7EXAMPLE fail?")
        raise AssertionError("the key was sent")
    except BlockedByPolicy as stop:
        print("blocked: ", stop)

    # A streamed answer that leaks a key and an address is redacted as it comes.
    server.reply = "Sure. Set AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE and ask ops@acme.example."
    shown = ""
    for chunk in client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "How do I deploy?"}], stream=True
    ):
        for choice in chunk.choices:
            shown += choice.delta.content or ""
    print("streamed:", shown)
    assert shown == POLICY.redact(server.reply)


async def async_calls(server: StandIn, pipeline: govstream.Pipeline) -> None:
    client = guard(openai.AsyncOpenAI(base_url=server.base_url, api_key="not-used"), POLICY, pipeline=pipeline)
    server.reply = "Your card 4111 1111 1111 1111 is on file."
    shown = ""
    stream = await client.responses.create(model="gpt-4o-mini", input="What card do I use?", stream=True)
    async for event in stream:
        if event.type == "response.output_text.delta":
            shown += event.delta
    print("async:   ", shown)
    assert "4111" not in shown


def main() -> None:
    with StandIn() as server, govstream.Pipeline([govstream.Sink.memory("events")]) as pipeline:
        sync_calls(server, pipeline)
        asyncio.run(async_calls(server, pipeline))
        pipeline.flush(timeout=5.0)
        records = pipeline.memory_records("events")
    verdicts = [(r["phase"], r["verdict"]) for r in records if r.get("record_type") == "event"]
    print("recorded:", verdicts)
    assert ("prompt", "block") in verdicts and ("response", "redact") in verdicts


if __name__ == "__main__":
    main()
