"""A gateway in miniature: govern one prompt and its response.

Evaluates the prompt; blocks it, or sends it (redacted when the policy says
so) to a stand-in model; evaluates the model's response the same way; prints
each decision and the records a sink would receive. No network.

Run: python examples/python/gateway.py
"""

import json
from typing import List

import govstream

POLICY = govstream.Policy.from_dict(
    {
        "org": {"id": "org_acme"},
        "actions": {
            "prompt": {"medium": "redact", "high": "redact", "critical": "block"},
            "response": {"medium": "redact"},
        },
    }
)


def model(prompt: str) -> str:
    """Stands in for an LLM call: echoes the prompt and leaks an address."""
    return f"You asked: {prompt!r}. Contact ops@acme.example for details."


def show(label: str, decision: govstream.Decision) -> None:
    print(f"{label}: verdict={decision.verdict} reason={decision.reason_code}")
    for m in decision.matches:
        print(f"  {m.rule_id} [{m.severity}] -> {m.action} at {m.start}..{m.end}")
    for record in decision.records():
        # A real gateway hands these to a sink; here, their headline fields.
        keys = ("record_type", "event_type", "phase", "user_id", "rule_id", "fingerprint")
        print("  record:", json.dumps({k: record[k] for k in keys if k in record}))


def handle(prompt: str, user_id: str) -> str:
    """What the gateway answers to one prompt."""
    asked = POLICY.evaluate(prompt, user_id=user_id, tool="chatgpt", hostname="chatgpt.com")
    show("prompt", asked)
    if asked.verdict == "block":
        return "[blocked by policy]"
    # redacted_text equals the prompt when nothing needed rewriting.
    answer = model(asked.redacted_text)
    answered = POLICY.evaluate(answer, phase="response", user_id=user_id, tool="chatgpt")
    show("response", answered)
    return "[blocked by policy]" if answered.verdict == "block" else answered.redacted_text


def main() -> None:
    prompts: List[str] = [
        "Summarise the Q3 report in three bullets.",
        "Email jane.doe@example.com my card 4111 1111 1111 1111 😀",
        "Why does AKIAIOSFODNN7EXAMPLE fail to authenticate?",
    ]
    for i, prompt in enumerate(prompts):
        print(f"== {prompt}")
        print("-> user sees:", handle(prompt, user_id=f"u_{i}"))
        print()


if __name__ == "__main__":
    main()
