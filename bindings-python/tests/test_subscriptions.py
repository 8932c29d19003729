"""Sinks subscribe by record type name (`event_types` globs); the rest are counted as filtered."""

import json
from typing import List

import govstream
import pytest

POLICY = govstream.Policy.default()
EMAIL = "mail jane.doe@acme.com the report"


def _types(records: List[dict]) -> List[str]:
    return [r["record_type"] for r in records]


def test_every_constructor_takes_event_types_and_filters_by_them() -> None:
    d = POLICY.evaluate(EMAIL)
    batches: List[bytes] = []
    sinks = [
        govstream.Sink.memory("all"),
        govstream.Sink.memory("events", event_types=["event.*"]),
        govstream.Sink.memory("pii", event_types=["dlp_match.pii", "audit_event.Auth:*"]),
        govstream.Sink.callback("cb", batches.append, event_types=["dlp_match.*"]),
        govstream.Sink.http("nothing", "http://127.0.0.1:9/in", event_types=["audit_event.*"]),
    ]
    with govstream.Pipeline(sinks) as p:
        p.emit(d)
        assert p.flush(timeout=5.0)
        assert _types(p.memory_records("all")) == ["event", "dlp_match"]
        assert _types(p.memory_records("events")) == ["event"]
        assert _types(p.memory_records("pii")) == ["dlp_match"]
        stats = {s["sink"]: s for s in p.stats()}
    sent = [json.loads(line) for b in batches for line in b.decode().splitlines()]
    assert _types(sent) == ["dlp_match"]
    assert (stats["all"]["emitted"], stats["all"]["filtered"]) == (2, 0)
    assert (stats["events"]["emitted"], stats["events"]["filtered"]) == (1, 1)
    assert (stats["cb"]["delivered"], stats["cb"]["filtered"]) == (1, 1)
    # Filtered is not a loss: nothing was sent, dropped or left pending.
    assert stats["nothing"]["emitted"] == 0 and stats["nothing"]["filtered"] == 2
    assert stats["nothing"]["dropped"] == {} and stats["nothing"]["pending"] == 0


def test_with_options_and_from_spec_take_event_types() -> None:
    d = POLICY.evaluate(EMAIL)
    by_options = govstream.Sink.memory("a").with_options(event_types=["dlp_match.*"])
    by_spec = govstream.Sink.from_spec(
        {"kind": "memory", "name": "b", "options": {"event_types": ["event.*"]}}
    )
    with govstream.Pipeline([by_options, by_spec]) as p:
        p.emit(d)
        assert p.flush(timeout=5.0)
        assert _types(p.memory_records("a")) == ["dlp_match"]
        assert _types(p.memory_records("b")) == ["event"]


def test_a_glob_matching_no_type_name_is_refused_naming_where() -> None:
    # A constructor names the argument, as for every other argument.
    with pytest.raises(govstream.InputError) as i:
        govstream.Sink.memory("m", event_types=["event.*", "evnt.*"])
    assert i.value.location == "event_types"
    assert "matches no type name" in str(i.value) and "evnt" not in str(i.value)
    # A spec names the JSON path.
    with pytest.raises(govstream.ValidationError) as e:
        govstream.Sink.from_spec(
            {"kind": "memory", "name": "m", "options": {"event_types": ["event.*", "evnt.*"]}}
        )
    assert [path for path, _ in e.value.problems] == ["$.options.event_types[1]"]
    with pytest.raises(govstream.ValidationError) as e:
        govstream.Sink.from_spec(
            {"kind": "memory", "name": "m", "options": {"event_types": ["event"]}}
        )
    assert "`event.*`" in str(e.value)
    with pytest.raises(govstream.ValidationError):
        govstream.Pipeline([govstream.Sink.memory("m").with_options(event_types=[""])])
    with pytest.raises(TypeError):
        govstream.Sink.memory("m", event_types=3)  # type: ignore[arg-type]
