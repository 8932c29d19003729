"""A gateway in miniature: govern one prompt and its response.

Evaluates the prompt; blocks it, or sends it (redacted when the policy says
so) to a stand-in model; evaluates the model's response the same way; emits
every decision's records to a JSONL file through a delivery pipeline, and
prints each decision and, at the end, the analytics summary. No network.

Run: python examples/python/gateway.py [EVENTS.jsonl]
"""

import json
import os
import sys
import tempfile
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


def handle(pipeline: govstream.Pipeline, prompt: str, user_id: str) -> None:
    """Governs one prompt and its answer, emitting every decision's records."""
    asked = POLICY.evaluate(prompt, user_id=user_id, tool="chatgpt", hostname="chatgpt.com")
    show("prompt", asked)
    pipeline.emit(asked)
    if asked.verdict == "block":
        print("-> user sees: [blocked by policy]")
        return
    # redacted_text equals the prompt when nothing needed rewriting.
    answer = model(asked.redacted_text)
    answered = POLICY.evaluate(answer, phase="response", user_id=user_id, tool="chatgpt")
    show("response", answered)
    pipeline.emit(answered)
    shown = "[blocked by policy]" if answered.verdict == "block" else answered.redacted_text
    print("-> user sees:", shown)


def main() -> None:
    prompts: List[str] = [
        "Summarise the Q3 report in three bullets.",
        "Email jane.doe@example.com my card 4111 1111 1111 1111 😀",
        "Why does AKIAIOSFODNN7EXAMPLE fail to authenticate?",
    ]
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.mkdtemp(), "events.jsonl")
    # On exit the pipeline flushes every record to the file and stops.
    with govstream.Pipeline([govstream.Sink.jsonl("events", path)]) as pipeline:
        for i, prompt in enumerate(prompts):
            print(f"== {prompt}")
            handle(pipeline, prompt, user_id=f"u_{i}")
            print()
    stats = pipeline.stats()[0]
    print(f"sink {stats['sink']}: {stats['delivered']} of {stats['emitted']} records delivered to {path}")
    # The dashboards' numbers, computed from what the sink received.
    analytics = govstream.Analytics()
    with open(path, encoding="utf-8") as f:
        for line in f:
            analytics.add(json.loads(line))
    summary = analytics.summary()
    print("analytics:", json.dumps({k: summary[k] for k in ("events", "verdicts", "dlp_events", "high_or_above_events")}))
    for p in summary["top_patterns"]:
        print(f"  {p['rule_id']}: {p['count']}")
    if stats["delivered"] != stats["emitted"]:
        sys.exit("some records were not delivered")


if __name__ == "__main__":
    main()
