"""Every core error kind arrives as its own GovstreamError subclass."""

import govstream
import pytest


def test_policy_error_lists_every_problem_with_its_json_path() -> None:
    doc = {
        "actions": {"prompt": {"high": "nope"}},
        "custom_rules": [{"id": "custom.x", "name": "x", "category": "secret", "severity": "high", "pattern": "("}],
    }
    with pytest.raises(govstream.PolicyError) as e:
        govstream.Policy.from_dict(doc)
    err = e.value
    assert isinstance(err, govstream.GovstreamError)
    assert err.kind == "policy"
    paths = [path for path, _ in err.problems]
    assert "$.actions.prompt.high" in paths
    assert "$.custom_rules[0].pattern" in paths
    assert all(isinstance(message, str) and message for _, message in err.problems)
    assert "$.actions.prompt.high" in str(err)


def test_invalid_json_is_a_policy_error() -> None:
    with pytest.raises(govstream.PolicyError) as e:
        govstream.Policy.from_json("{not json")
    assert e.value.problems


def test_unknown_rule_id_in_overrides_is_reported() -> None:
    with pytest.raises(govstream.PolicyError) as e:
        govstream.Policy.from_dict({"rules": {"overrides": {"pii.nope": {"severity": "low"}}}})
    assert any("pii.nope" in path or "pii.nope" in msg for path, msg in e.value.problems)


def test_unreadable_file_is_an_input_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "missing.json"
    with pytest.raises(govstream.InputError) as e:
        govstream.Policy.from_file(missing)
    assert e.value.kind == "input"
    assert e.value.location == str(missing)
    assert e.value.problems == []


def test_unknown_phase_is_an_input_error() -> None:
    with pytest.raises(govstream.InputError) as e:
        govstream.Policy.default().evaluate("x", phase="later")  # type: ignore[arg-type]
    assert e.value.location == "phase"


def test_non_serializable_dict_is_an_input_error() -> None:
    with pytest.raises(govstream.InputError):
        govstream.Policy.from_dict({"org": object()})


def test_hierarchy() -> None:
    for cls in (govstream.PolicyError, govstream.RuleError, govstream.ValidationError, govstream.InputError):
        assert issubclass(cls, govstream.GovstreamError)
        assert cls.__module__ == "govstream"
    assert issubclass(govstream.GovstreamError, Exception)


def test_wrong_argument_types_raise_type_error_not_a_crash() -> None:
    policy = govstream.Policy.default()
    with pytest.raises(TypeError):
        policy.evaluate(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        policy.evaluate("x", "prompt")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        policy.scan(None)  # type: ignore[arg-type]


def test_lone_surrogates_are_rejected_cleanly() -> None:
    # A str that is not valid Unicode cannot become UTF-8; it must raise, not crash.
    with pytest.raises(UnicodeEncodeError):
        govstream.Policy.default().evaluate("a\ud800b")


SECRET = "AKIAIOSFODNN7EXAMPLE"


def test_errors_name_the_field_but_never_repeat_the_value() -> None:
    with pytest.raises(govstream.InputError) as e:
        govstream.Policy.default().evaluate("x", phase=SECRET)  # type: ignore[arg-type]
    assert e.value.location == "phase"
    assert "`prompt`, `response`" in str(e.value)
    with pytest.raises(govstream.InputError) as r:
        govstream.summarize([{"record_type": SECRET}])
    assert r.value.location == "records[0].record_type"
    with pytest.raises(govstream.InputError) as f:
        govstream.summarize([{"record_type": "event", "event_id": [SECRET]}])
    for err in (e.value, r.value, f.value):
        assert "AKIA" not in str(err) and "AKIA" not in repr(err.args)
