"""classify() answers with the CLI's keys."""

import govstream

KEYS = ["input", "host", "status", "tool", "vendor", "category", "severity"]


def test_known_tool_without_a_policy() -> None:
    c = govstream.classify("https://chatgpt.com/c/1")
    assert list(c) == KEYS
    assert c["input"] == "https://chatgpt.com/c/1"
    assert c["host"] == "chatgpt.com"
    assert c["status"] == "unknown_ai"
    assert c["tool"] == "ChatGPT"
    assert c["vendor"] == "OpenAI"
    assert c["category"] == "chat"


def test_not_ai_has_null_tool_fields() -> None:
    c = govstream.classify("example.com")
    assert list(c) == KEYS
    assert (c["status"], c["tool"], c["vendor"], c["category"], c["severity"]) == ("not_ai", None, None, None, "low")


def test_policy_lists_decide_approved_and_blocked() -> None:
    policy = govstream.Policy.from_dict({"ai_tools": {"approved": ["chatgpt.com"], "blocked": ["*.deepseek.com"]}})
    assert govstream.classify("chatgpt.com", policy)["status"] == "approved"
    assert govstream.classify("claude.ai", policy)["status"] == "unapproved"
    blocked = govstream.classify("https://chat.deepseek.com/", policy=policy)
    assert blocked["status"] == "unapproved"
    assert blocked["severity"] in ("high", "critical")
