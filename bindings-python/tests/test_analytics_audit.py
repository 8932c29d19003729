"""summarize(), audit_event() and parse_keycloak() through the installed package."""

import govstream
import pytest

POLICY = govstream.Policy.default()
KEYCLOAK_FAILURE = (
    '2025-02-03 16:52:53 2025-02-03 11:22:53,492 WARN  [org.keycloak.events] (executor-thread-3) '
    'type="LOGIN_ERROR", realmId="r", clientId="ui", userId="06ad90a8-a8f7-4776-aca3-05dbd38ae9ba", '
    'ipAddress="192.168.65.1", error="invalid_user_credentials", username="lee@acme.example"'
)


def test_summarize_counts_decisions_and_record_dicts_alike() -> None:
    decisions = [POLICY.evaluate("mail jane.doe@acme.com"), POLICY.evaluate("hello")]
    from_decisions = govstream.summarize(decisions, now_ms=1_900_000_000_000)
    records = [r for d in decisions for r in d.records()]
    assert govstream.summarize(records, now_ms=1_900_000_000_000) == from_decisions
    assert from_decisions["events"] == 2
    assert from_decisions["dlp_events"] == 1
    assert from_decisions["top_patterns"][0]["rule_id"] == "pii.email"
    assert len(from_decisions["daily"]) == 7


def test_summarize_respects_the_scan_cap_and_rejects_non_records() -> None:
    decisions = [POLICY.evaluate("hello") for _ in range(3)]
    s = govstream.summarize(decisions, scan_cap=2)
    assert (s["events"], s["events_skipped"], s["capped"]) == (2, 1, True)
    with pytest.raises(govstream.InputError) as e:
        govstream.summarize([{"record_type": "event"}])
    assert e.value.location == "records[0]"


def test_audit_event_builds_a_valid_record() -> None:
    e = govstream.audit_event(
        "Admin:RoleAssignment",
        request_id="req-1",
        user_email="admin@acme.example",
        metadata={"user_id": "u-1042", "user_email": "lee@acme.example", "roles_assigned": ["editor"]},
    )
    assert e["record_type"] == "audit_event"
    assert e["event_type"] == "Admin:RoleAssignment"
    assert e["event_metadata"]["roles_assigned"] == ["editor"]
    with govstream.Pipeline([govstream.Sink.memory("m")]) as p:
        p.emit(e)
        assert p.flush()
        assert p.memory_records("m") == [e]


def test_audit_event_lists_every_problem() -> None:
    with pytest.raises(govstream.ValidationError) as e:
        govstream.audit_event("Eval:TestFailure", request_id="", metadata={"test_id": "t-1"})
    paths = [p for p, _ in e.value.problems]
    assert "$.request_id" in paths
    assert "$.event_metadata.test_type" in paths
    with pytest.raises(govstream.ValidationError) as unknown:
        govstream.audit_event("Nope:Nothing", request_id="r")
    assert unknown.value.problems[0][0] == "$.event_type"


def test_parse_keycloak_reports_events_and_problems_with_line_numbers() -> None:
    text = "\n".join(
        [
            KEYCLOAK_FAILURE,
            "2025-02-03 16:52:53 INFO  [org.other] (main) started",
            "",
            KEYCLOAK_FAILURE.replace("LOGIN_ERROR", "CODE_TO_TOKEN"),
        ]
    )
    r = govstream.parse_keycloak(text)
    assert [e["event_type"] for e in r["events"]] == ["Auth:LoginFailure"]
    assert r["events"][0]["record_type"] == "audit_event"
    assert r["skipped_lines"] == 1
    [problem] = r["problems"]
    assert problem["line"] == 4
    assert (problem["kind"], problem["detail"]) == ("unknown_type", "CODE_TO_TOKEN")
    # One problem shape everywhere: the CLI's `error` (was `message` here).
    assert "CODE_TO_TOKEN" in problem["error"]


def test_parse_keycloak_turns_the_seeds_logout_failure_into_a_failed_logout() -> None:
    # The seed's "Logout Failure" sample (002_e67e5d598384e22d).
    seed = (
        '2025-02-03 16:50:46 2025-02-03 11:20:46,919 WARN  [org.keycloak.events] (executor-thread-4) '
        'type="LOGOUT_ERROR", realmId="2c7e00b2-907d-46f5-9f5e-9cd3a8747228", clientId="ui", '
        'userId="null", ipAddress="192.168.65.1", error="invalid_redirect_uri", '
        'redirect_uri="http://localhost:3001"'
    )
    r = govstream.parse_keycloak(seed + "\n" + KEYCLOAK_FAILURE, org_id="org_acme")
    assert r["problems"] == []
    logout, login = r["events"]
    assert logout["event_type"] == "Auth:Logout"
    assert logout["org_id"] == "org_acme"
    assert logout["date_time"] == "2025-02-03T11:20:46.919Z"
    assert logout["event_metadata"]["outcome"] == "failure"
    assert logout["event_metadata"]["error"] == "invalid_redirect_uri"
    assert "keycloak_user_id" not in logout
    assert login["event_type"] == "Auth:LoginFailure"
    assert login["event_metadata"]["outcome"] == "failure"
