"""Issue 9 through the package: text that was not scanned is never clean nor
shown, disguised values are found, context fields never carry a matched
value below `full`, matches per text are capped."""

import json
import warnings

import govstream
import pytest

AWS = "AKIAIOSFODNN7EXAMPLE"
GITHUB = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"


def long_prompt() -> str:
    # 11 MB of prose, two secrets past the 1 MiB default scan limit.
    return "lorem ipsum dolor " * (11 << 16) + f"{AWS} and {GITHUB}"


def test_a_text_past_the_scan_limit_fails_closed() -> None:
    policy = govstream.Policy.default()
    d = policy.evaluate(long_prompt())
    assert d.verdict == "block"
    assert d.reason_code == "scan_truncated"
    assert d.scan_truncated
    assert AWS not in d.redacted_text
    assert d.redacted_text.endswith(" bytes]")
    assert AWS not in json.dumps(d.records())

    response = policy.evaluate(long_prompt(), phase="response")
    assert response.verdict == "redact"

    opt_out = govstream.Policy.from_dict({"limits": {"on_truncated": "allow"}})
    assert opt_out.evaluate(long_prompt()).verdict == "allow"

    far = govstream.Policy.from_dict({"limits": {"max_scan_bytes": 64 << 20}})
    d = far.evaluate(long_prompt())
    assert d.reason_code == "dlp:secrets.aws_access_key_id"
    assert not d.scan_truncated


def test_scan_and_redact_say_when_they_saw_only_a_prefix() -> None:
    policy = govstream.Policy.default()
    with pytest.warns(govstream.ScanTruncatedWarning, match="1048576 characters"):
        out = policy.redact(long_prompt())
    assert AWS not in out and GITHUB not in out
    assert "[UNSCANNED:" in out
    with pytest.warns(govstream.ScanTruncatedWarning):
        assert policy.scan(long_prompt()) == []
    # A text scanned whole does not warn.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert policy.redact(f"key {AWS}") == "key [REDACTED:secrets.aws_access_key_id]"


@pytest.mark.parametrize(
    "value",
    [
        "AKIA\u200bIOSFODNN7EXAMPLE",
        "AKIAIOSF\u00adODNN7EXAMPLE",
        "\uff21\uff2b\uff29\uff21IOSFODNN7EXAMPLE",
        "\uff14\uff11\uff11\uff11 \uff11\uff11\uff11\uff11 \uff11\uff11\uff11\uff11 \uff11\uff11\uff11\uff11",
        "4111\u00a01111\u20091111\u202f1111",
    ],
)
def test_disguised_values_are_found_and_redacted_whole(value: str) -> None:
    policy = govstream.Policy.default()
    text = f"see {value} here"
    matches = policy.scan(text)
    assert len(matches) == 1
    m = matches[0]
    assert text[m.start : m.end] == value
    assert policy.redact(text) == f"see [REDACTED:{m.rule_id}] here"


def test_a_base64_encoded_private_key_is_found() -> None:
    import base64

    pem = (
        "-----BEGIN RSA PRIVATE KEY-----\n"
        "MIIEowIBAAKCAQEAfakeFAKEAHOVcjqx4/GNUbipw3+FMTahov29ELSZgnu18DKR\n"
        "BKTclu3AJSbkt2/IRajs1+HQZir09GPYhqz8FOXgpy7ENWfox6DMVenw5CLUdmv4\n"
        "-----END RSA PRIVATE KEY-----\n"
    )
    encoded = base64.b64encode(pem.encode()).decode()
    d = govstream.Policy.default().evaluate(f"data:\n  tls.key: {encoded}\n")
    assert d.verdict == "block"
    assert [m.rule_id for m in d.matches] == ["secrets.private_key"]
    assert encoded[10:60] not in d.redacted_text


@pytest.mark.parametrize("level", ["metadata", "redacted"])
def test_context_fields_never_carry_a_matched_value(level: str) -> None:
    policy = govstream.Policy.from_dict({"logging": level})
    d = policy.evaluate(
        f"use {AWS}",
        request_id=f"req-{AWS}",
        user_id=AWS,
        metadata={"header": AWS, "nested": {"list": [f"x {AWS}"]}},
    )
    logged = json.dumps(d.records()) + d.to_json()
    assert AWS not in logged


def test_matches_are_capped_and_counted() -> None:
    policy = govstream.Policy.from_dict({"limits": {"max_matches": 5}})
    text = "1.2.3.4 " * 50
    d = policy.evaluate(text)
    assert len(d.matches) == 5
    assert d.omitted_matches == 45
    assert len(d.records()) == 1 + 5
    assert d.records()[0]["dlp"]["total_matches"] == 50
    assert "1.2.3.4" not in policy.redact(text)
