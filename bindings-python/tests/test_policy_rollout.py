"""Policies in the words people think in, monitor mode and policy testing,
through the Python package: the binding only converts, so these check that
the core's answers arrive intact and errors map to the right exceptions."""

import govstream
import pytest

BLOCK_SECRETS_REDACT_PII = {
    "categories": {
        "secret": {"action": {"prompt": "block"}},
        "pii": {"action": "redact"},
    }
}

CORPUS = [
    {"id": "t-1", "text": "mail jane.doe@acme.com"},
    {"id": 2, "text": "key AKIAIOSFODNN7EXAMPLE"},
    {"text": "nothing to see"},
    {"text": "write to bob@corp.io", "user_id": "u-9"},
]


def test_the_five_line_policy_blocks_secrets_and_redacts_personal_data():
    policy = govstream.Policy.from_dict(BLOCK_SECRETS_REDACT_PII)
    assert policy.evaluate("key AKIAIOSFODNN7EXAMPLE").verdict == "block"
    d = policy.evaluate("mail jane.doe@acme.com")
    assert (d.verdict, d.redacted_text) == ("redact", "mail [REDACTED:pii.email]")
    email = next(r for r in policy.rules() if r["id"] == "pii.email")
    assert email["prompt_action_from"] == "$.categories.pii.action"


def test_a_glob_that_selects_nothing_is_a_policy_error_at_its_path():
    with pytest.raises(govstream.PolicyError) as e:
        govstream.Policy.from_dict({"rules": {"overrides": {"secrets.nope*": {"action": "block"}}}})
    assert '$.rules.overrides["secrets.nope*"]' in [p for p, _ in e.value.problems]


def test_monitor_mode_records_without_enforcing():
    policy = govstream.Policy.from_dict({"monitor": True})
    d = policy.evaluate("key AKIAIOSFODNN7EXAMPLE", request_id="r-1")
    assert d.verdict == "allow"
    assert d.would_verdict == "block"
    assert d.would_reason_code == "dlp:secrets.aws_access_key_id"
    assert d.redacted_text == "key AKIAIOSFODNN7EXAMPLE"
    assert all(m.monitor for m in d.matches)
    event, match = d.records()
    assert event["would_verdict"] == "block"
    assert (match["monitor"], match["action"], match["request_id"]) == (True, "block", "r-1")
    assert govstream.Policy.default().evaluate("hi").would_verdict is None


def test_compare_reports_flips_by_id_or_position_and_checks_thresholds():
    strict = govstream.Policy.from_dict(BLOCK_SECRETS_REDACT_PII)
    r = strict.compare(CORPUS, baseline=govstream.Policy.default(), max_flips=1)
    assert r["inputs"] == 4
    assert r["flips"] == 2
    assert [(f.get("id"), f["line"]) for f in r["flipped"]] == [("t-1", 1), (None, 4)]
    assert r["changes"]["warn"] == -2
    assert r["thresholds"] == [{"name": "max_flips", "limit": 1.0, "value": 2.0, "exceeded": True}]
    assert r["passed"] is False
    alone = strict.compare(CORPUS, max_block_rate=0.5)
    assert "baseline" not in alone and alone["passed"] is True


def test_compare_errors_map_to_exceptions():
    policy = govstream.Policy.default()
    with pytest.raises(govstream.InputError) as e:
        policy.compare([{"id": 1}])
    assert e.value.location == "$.corpus[0].text"
    with pytest.raises(govstream.ValidationError):
        policy.compare(CORPUS, max_flips=0)
    with pytest.raises(govstream.ValidationError):
        policy.compare(CORPUS, max_block_rate=2.0)
    with pytest.raises(govstream.InputError):
        policy.compare("not a list")  # type: ignore[arg-type]
