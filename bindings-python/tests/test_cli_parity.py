"""The CLI and the Python package build sinks from the one catalog in the
core: given the same sink spec, `govstream export --sink-spec` and
`Pipeline.from_spec` must put the same requests on the wire. Each runs
against its own loopback receiver; the test compares paths, the headers a
target checks, and the records each body carries."""

import json
import os
import pathlib
import subprocess
from typing import Any, Dict, List

import govstream
import pytest

from test_siem_sinks import Receiver, Request

ROOT = pathlib.Path(__file__).resolve().parents[2]
POLICY = govstream.Policy.default()
TEXTS = ["mail jane.doe@acme.com", "key AKIAIOSFODNN7EXAMPLE", "hello", "card 4111 1111 1111 1111"]

# Headers that must agree; the rest (dates, signatures over a timestamp,
# lengths of gzip bodies) may differ between two runs of the same sink.
CHECKED = ("authorization", "content-type", "x-api-key")


def cli() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("GOVSTREAM_CLI", ROOT / "target" / "debug" / "govstream"))
    if not path.exists():
        subprocess.run(["cargo", "build", "--quiet", "--bin", "govstream"], cwd=ROOT, check=True)
    return path


def spec(kind: str, url: str) -> Dict[str, Any]:
    common = {"kind": kind, "name": "parity", "options": {"max_batch_records": 1000, "max_wait_ms": 50}}
    extra: Dict[str, Any] = {
        "http": {"url": url},
        "splunk_hec": {"url": url, "token": "hec-token", "index": "ai"},
        "elasticsearch": {"url": url, "index": "govstream-events", "api_key": "a2V5OnNlY3JldA=="},
        "azure_logs": {"url": url + "/dataCollectionRules/dcr/streams/Custom-G?api-version=2023-01-01",
                       "bearer_token": "eyJ0eXAi"},
        "otlp": {"url": url, "service_name": "gw", "headers": {"x-api-key": "k"}, "token": "t0k"},
        "ocsf": {"url": url, "framing": "json_array", "authorization": "Bearer oc"},
        "webhook": {"url": url, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
    }[kind]
    return {**common, **extra}


def records() -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    for t in TEXTS:
        out.extend(POLICY.evaluate(t, context={"event_id": f"e-{len(out)}", "timestamp_ms": 1_795_339_200_000},
                                   user_id="u-1").records())
    return out


def items(kind: str, body: bytes) -> List[Any]:
    """The records a body carries, in the target's own framing."""
    text = body.decode()
    if kind in ("http",):
        return [json.loads(line) for line in text.splitlines() if line]
    if kind == "splunk_hec":
        decoder, i, out = json.JSONDecoder(), 0, []
        while i < len(text):
            obj, i = decoder.raw_decode(text, i)
            out.append(obj)
            while i < len(text) and text[i].isspace():
                i += 1
        return out
    if kind == "elasticsearch":
        return [json.loads(line) for line in text.splitlines() if line]
    if kind == "otlp":
        doc = json.loads(text)
        return [r for rl in doc["resourceLogs"] for sl in rl["scopeLogs"] for r in sl["logRecords"]] + [
            rl["resource"] for rl in doc["resourceLogs"]
        ]
    if kind == "webhook":
        doc = json.loads(text)
        return [doc["type"]] + doc["data"]
    return json.loads(text)


def received(kind: str, requests: List[Request]) -> Dict[str, Any]:
    return {
        "paths": sorted({r.path for r in requests}),
        "headers": sorted({(h, r.headers.get(h)) for r in requests for h in CHECKED}, key=str),
        "items": sorted((json.dumps(i, sort_keys=True) for r in requests for i in items(kind, r.body))),
    }


@pytest.mark.parametrize("kind", ["http", "splunk_hec", "elasticsearch", "azure_logs", "otlp", "ocsf", "webhook"])
def test_the_cli_and_python_send_the_same_for_the_same_spec(kind: str, tmp_path: pathlib.Path) -> None:
    recs = records()
    by_python, by_cli = Receiver(), Receiver()
    try:
        with govstream.Pipeline.from_spec({"sinks": [spec(kind, by_python.url)]}) as p:
            for r in recs:
                p.emit(r)
            assert p.flush(timeout=10.0)
        spec_file = tmp_path / "sink.json"
        spec_file.write_text(json.dumps(spec(kind, by_cli.url)))
        input_file = tmp_path / "records.jsonl"
        input_file.write_text("".join(json.dumps(r) + "\n" for r in recs))
        out = subprocess.run(
            [str(cli()), "export", "--sink-spec", str(spec_file), "--timeout", "10", str(input_file)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        stats = json.loads(out.stdout)
        assert stats["delivered"] == len(recs) and stats["completed"]
        assert by_python.requests and by_cli.requests
        assert received(kind, by_python.requests) == received(kind, by_cli.requests)
    finally:
        by_python.server.shutdown()
        by_cli.server.shutdown()


def test_a_bad_spec_is_refused_by_both_with_the_same_path(tmp_path: pathlib.Path) -> None:
    bad = {"kind": "splunk_hec", "name": "s", "url": "https://s.example", "token": "a\r\nb"}
    with pytest.raises(govstream.ValidationError) as e:
        govstream.Pipeline.from_spec({"sinks": [bad]})
    assert ("$.sinks[0].token", "must not contain control characters (CR, LF, …)") in e.value.problems
    spec_file = tmp_path / "sink.json"
    spec_file.write_text(json.dumps(bad))
    out = subprocess.run([str(cli()), "export", "--sink-spec", str(spec_file)], input="", capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2
    assert "$.token" in out.stderr and "a\r\nb" not in out.stderr
