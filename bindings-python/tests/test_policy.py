"""Policy construction and evaluation through the installed package."""

import json
import pathlib

import govstream
import pytest

REDACT_MEDIUM = {"org": {"id": "org_acme"}, "actions": {"prompt": {"medium": "redact"}}}


def test_the_installed_package_is_under_test() -> None:
    # The source tree's python/ must not shadow the wheel pip installed.
    assert "site-packages" in pathlib.Path(govstream.__file__).parts


def test_from_json_from_dict_and_from_file_build_the_same_policy(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(REDACT_MEDIUM))
    text = "mail jane.doe@acme.com the report"
    for policy in (
        govstream.Policy.from_json(json.dumps(REDACT_MEDIUM)),
        govstream.Policy.from_dict(REDACT_MEDIUM),
        govstream.Policy.from_file(path),
        govstream.Policy.from_file(str(path)),
    ):
        d = policy.evaluate(text)
        assert d.verdict == "redact"
        assert d.event_type == "redacted"
        assert d.reason_code == "dlp:pii.email"
        assert d.redacted_text == "mail [REDACTED:pii.email] the report"


def test_default_policy_blocks_an_aws_key() -> None:
    d = govstream.Policy.default().evaluate("key AKIAIOSFODNN7EXAMPLE here")
    assert d.verdict == "block"
    assert d.event_type == "blocked"
    assert d.reason_code == "dlp:secrets.aws_access_key_id"
    [m] = d.matches
    assert m.rule_id == "secrets.aws_access_key_id"
    assert m.category == "secret"
    assert m.severity == "critical"
    assert m.action == "block"
    assert 0.0 < m.confidence <= 1.0
    assert (m.start, m.end) == (4, 24)
    assert (m.byte_start, m.byte_end) == (4, 24)
    assert (m.utf16_start, m.utf16_end) == (4, 24)
    assert m.rule_name


def test_clean_text_is_allowed_and_unchanged() -> None:
    d = govstream.Policy.default().evaluate("what is the capital of France?")
    assert (d.verdict, d.event_type, d.reason_code) == ("allow", "request", "none")
    assert d.matches == []
    assert d.redacted_text == "what is the capital of France?"
    assert d.scan_truncated is False


def test_context_keywords_reach_the_event() -> None:
    d = govstream.Policy.from_dict(REDACT_MEDIUM).evaluate(
        "the answer is 42",
        phase="response",
        user_id="u_1",
        user_email="u1@acme.com",
        tool="chatgpt",
        hostname="chatgpt.com",
        model="gpt-x",
        provider="openai",
        request_id="r_1",
        session_id="s_1",
        conversation_id="c_1",
        metadata={"team": "data", "n": 3},
    )
    [event] = d.records()
    assert event["record_type"] == "event"
    assert event["phase"] == "response"
    assert event["org_id"] == "org_acme"
    for key, value in [
        ("user_id", "u_1"),
        ("user_email", "u1@acme.com"),
        ("tool", "chatgpt"),
        ("hostname", "chatgpt.com"),
        ("model", "gpt-x"),
        ("provider", "openai"),
        ("request_id", "r_1"),
        ("session_id", "s_1"),
        ("conversation_id", "c_1"),
    ]:
        assert event[key] == value, key
    assert event["metadata"] == {"team": "data", "n": 3}
    assert govstream.Policy.default().evaluate("x", org_id="org_x").records()[0]["org_id"] == "org_x"


def test_records_list_the_event_then_its_matches() -> None:
    d = govstream.Policy.default().evaluate("a AKIAIOSFODNN7EXAMPLE b jane.doe@example.com")
    types = [r["record_type"] for r in d.records()]
    assert types == ["event", "dlp_match", "dlp_match"]
    # Records are privacy-safe: no raw value leaves in them.
    dumped = json.dumps(d.records())
    assert "AKIAIOSFODNN7EXAMPLE" not in dumped
    assert "jane.doe@example.com" not in dumped


def test_to_dict_and_to_json_agree() -> None:
    d = govstream.Policy.default().evaluate("card 4111 1111 1111 1111")
    as_dict = d.to_dict()
    assert as_dict == json.loads(d.to_json())
    assert as_dict["verdict"] == d.verdict
    assert [m["rule_id"] for m in as_dict["matches"]] == [m.rule_id for m in d.matches]
    assert set(as_dict) == {
        "verdict", "event_type", "reason_code", "policy_results", "matches",
        "omitted_matches", "scan_truncated", "event", "dlp_matches",
    }


def test_a_warned_value_is_forwarded_but_never_in_what_is_logged() -> None:
    # Under the default policy an email is medium severity, so `warn`: it
    # stays in the text to forward, and must not reach anything documented
    # as safe to log.
    email = "jane.doe@example.com"
    d = govstream.Policy.default().evaluate(f"please mail {email} the report")
    assert d.verdict == "warn" and [m.action for m in d.matches] == ["warn"]
    assert email in d.redacted_text
    for logged in (json.dumps(d.to_dict()), d.to_json(), json.dumps(d.records())):
        assert email not in logged and "jane.doe" not in logged


def test_scan_and_redact() -> None:
    policy = govstream.Policy.default()
    text = "😀 mail jane.doe@example.com now"
    [m] = policy.scan(text)
    assert text[m.start : m.end] == "jane.doe@example.com"
    assert m.rule_id == "pii.email"
    # redact rewrites every match, whatever its action (email only warns).
    assert policy.redact(text) == "😀 mail [REDACTED:pii.email] now"
    assert policy.evaluate(text).redacted_text == text


def test_rules_lists_enabled_rules_with_effective_actions() -> None:
    rules = govstream.Policy.from_dict(REDACT_MEDIUM).rules()
    email = next(r for r in rules if r["id"] == "pii.email")
    assert email["severity"] == "medium"
    assert email["prompt_action"] == "redact"
    disabled = govstream.Policy.from_dict({"packs": {"pii": False}}).rules()
    assert all(r["pack"] != "pii" for r in disabled)


def test_matches_compare_by_value_and_repr_names_the_rule() -> None:
    policy = govstream.Policy.default()
    text = "id AKIAIOSFODNN7EXAMPLE"
    assert policy.scan(text) == policy.scan(text)
    assert "secrets.aws_access_key_id" in repr(policy.scan(text)[0])
    assert "verdict='block'" in repr(policy.evaluate(text))


@pytest.mark.parametrize("bad", [{"a": {1, 2}}, ["not", "a", "dict"], "text"])
def test_metadata_must_be_a_json_object(bad: object) -> None:
    with pytest.raises(govstream.InputError) as e:
        govstream.Policy.default().evaluate("x", metadata=bad)  # type: ignore[arg-type]
    assert e.value.location == "metadata"


def test_the_version_is_the_installed_distributions() -> None:
    import importlib.metadata

    assert govstream.__version__ == importlib.metadata.version("govstream")
