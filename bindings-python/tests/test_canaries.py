"""Canaries: the secret values of testdata/canaries/, planted in texts and in
every context field and evaluated with a policy at each logging level below
`full`, never come out of the Python API where a log could keep them:
records, the decision's dict/JSON/repr, a pipeline's stats and memory sink,
an exception's message, a sink's repr. core/tests/canaries.rs checks the
same files in Rust."""

import json
import pathlib
from typing import Any, Dict, Iterator, List, Tuple

import govstream
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DIR = ROOT / "testdata" / "canaries"

CANARIES: List[Dict[str, Any]] = json.loads((DIR / "canaries.json").read_text("utf-8"))["canaries"]
POLICIES: List[Dict[str, Any]] = json.loads((DIR / "policies.json").read_text("utf-8"))["policies"]
NEEDLES = [n for c in CANARIES for n in c["needles"]]


def leaks(needles: List[str], shown: str) -> List[str]:
    return [n for n in needles if n in shown]


def cases() -> Iterator[Tuple[str, Dict[str, Any], Dict[str, Any]]]:
    for p in POLICIES:
        for c in CANARIES:
            yield f"{p['name']} / {c['name']}", p, c


def without_forwarded_text(view: Dict[str, Any]) -> Dict[str, Any]:
    # `redacted_text` is the text to forward: for a warn or allow verdict,
    # the text as given. Everything else is the log-safe view.
    return {k: v for k, v in view.items() if k != "redacted_text"}


@pytest.mark.parametrize("name,policy,canary", list(cases()), ids=[n for n, _, _ in cases()])
def test_no_canary_leaves_an_evaluation(name: str, policy: Dict[str, Any], canary: Dict[str, Any]) -> None:
    p = govstream.Policy.from_dict(policy["policy"])
    d = p.evaluate(canary["text"], phase="prompt", context=canary["context"])
    assert d.matches, f"{name}: no rule matched the canary"
    needles = canary["needles"]
    assert not leaks(needles, json.dumps(d.records())), name
    assert not leaks(needles, json.dumps(without_forwarded_text(d.to_dict()))), name
    assert not leaks(needles, json.dumps(without_forwarded_text(json.loads(d.to_json())))), name
    assert not leaks(needles, repr(d)), name


@pytest.mark.parametrize("policy", POLICIES, ids=[p["name"] for p in POLICIES])
def test_no_canary_reaches_a_pipeline(policy: Dict[str, Any]) -> None:
    p = govstream.Policy.from_dict(policy["policy"])
    with govstream.Pipeline([govstream.Sink.memory("m")]) as pipe:
        for c in CANARIES:
            pipe.emit(p.evaluate(c["text"], phase="prompt", context=c["context"]))
        assert pipe.flush()
        shown = json.dumps(pipe.stats()) + json.dumps(pipe.memory_records("m"))
        shown += json.dumps(pipe.dead_letters("m"))
    assert not leaks(NEEDLES, shown), policy["name"]


def refusals(secret: str, token: str) -> List[Tuple[str, Any]]:
    """Calls that refuse a canary; each must raise without repeating it."""
    policy = govstream.Policy.default()
    return [
        ("as a phase", lambda: policy.evaluate("hi", phase=secret)),  # type: ignore[arg-type]
        ("as a context field's wrong type", lambda: policy.evaluate("hi", context={"user_id": [secret]})),
        ("as a text of the wrong type", lambda: policy.evaluate({secret: secret})),  # type: ignore[arg-type]
        ("as a URL with userinfo and a space", lambda: govstream.Sink.http("s", f"https://u:{token} x@h.example/")),
        ("as a credential with CR/LF", lambda: govstream.Sink.splunk_hec("s", "https://splunk.example:8088", token + "\r\nX-Injected: 1")),
        ("as a webhook secret with CR/LF", lambda: govstream.Sink.webhook("s", "https://hooks.example/in", token + "\n")),
        ("as an audit event type", lambda: govstream.audit_event(secret, request_id="r")),  # type: ignore[call-arg]
        ("as a policy of the wrong type", lambda: govstream.Policy.from_dict({"org": {"id": [secret]}})),
    ]


@pytest.mark.parametrize("canary", CANARIES, ids=[c["name"] for c in CANARIES])
def test_no_error_repeats_a_refused_canary(canary: Dict[str, Any]) -> None:
    token = canary["needles"][0].replace(" ", "-")
    for how, refuse in refusals(canary["secret"], token):
        try:
            refuse()
        except (govstream.GovstreamError, TypeError, ValueError) as err:
            shown = str(err) + repr(err)
        else:
            pytest.fail(f"{canary['name']} {how}: was not refused")
        assert not leaks(canary["needles"] + [token], shown), f"{canary['name']} {how}: {shown}"


@pytest.mark.parametrize("canary", CANARIES, ids=[c["name"] for c in CANARIES])
def test_no_sink_repr_shows_a_credential(canary: Dict[str, Any]) -> None:
    token = canary["needles"][0].replace(" ", "-")
    sinks = [
        govstream.Sink.http("h", f"https://u:{token}@collector.example/in?key={token}"),
        govstream.Sink.splunk_hec("siem", "https://splunk.example:8088", token),
        govstream.Sink.webhook("wh", "https://hooks.example/in", [token, "older"]),
        govstream.Sink.elasticsearch("es", "https://es.example:9200", "gov", api_key=token),
        govstream.Sink.azure_logs("az", "https://dce.example/in", token),
    ]
    # Only built and shown: a pipeline of them would reach for the network.
    for s in sinks:
        assert not leaks([token], repr(s) + str(s)), repr(s)
