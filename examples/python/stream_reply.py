"""Streams a stand-in model's reply through govstream, token by token, and
prints only what is safe to show, as a chat UI would.

    python examples/python/stream_reply.py
"""

import time
from typing import Iterator

import govstream

REPLY = (
    "Sure, here is the deployment config. Set AWS_ACCESS_KEY_ID to "
    "AKIAIOSFODNN7EXAMPLE and send the report to jane.doe@acme.com. "
    "Anything else?"
)


def model_reply() -> Iterator[str]:
    """A stand-in for a model's streamed reply: a few characters at a time."""
    for i in range(0, len(REPLY), 5):
        time.sleep(0.005)
        yield REPLY[i : i + 5]


def main() -> None:
    policy = govstream.Policy.default()
    stream = policy.stream(model_reply(), context={"user_id": "u-42", "model": "stand-in"})
    shown = "".join(piece for piece in stream)
    print(shown)
    decision = stream.decision
    assert decision is not None
    print(decision.verdict, [m.rule_id for m in decision.matches])
    # The pieces put together are exactly the whole reply, redacted.
    assert shown == policy.redact(REPLY)
    assert "AKIAIOSFODNN7EXAMPLE" not in shown


if __name__ == "__main__":
    main()
