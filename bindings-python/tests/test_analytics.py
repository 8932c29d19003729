"""The streaming `Analytics` class through the installed package."""

import threading
from typing import List

import govstream
import pytest

POLICY = govstream.Policy.default()
NOW = 1_900_000_000_000


def decisions() -> List[govstream.Decision]:
    texts = ["mail jane.doe@acme.com", "hello", "key AKIAIOSFODNN7EXAMPLE", "call +1 415 555 0132"]
    return [POLICY.evaluate(t) for t in texts]


def test_streaming_gives_what_summarize_gives_in_one_call() -> None:
    ds = decisions()
    a = govstream.Analytics(NOW, top_patterns=5)
    a.add(ds[0])
    a.extend(r for d in ds[1:] for r in d.records())
    assert a.summary() == govstream.summarize(ds, NOW, top_patterns=5)


def test_summary_is_a_snapshot_and_adding_goes_on() -> None:
    a = govstream.Analytics(NOW)
    a.add(POLICY.evaluate("mail jane.doe@acme.com"))
    first = a.summary()
    a.add(POLICY.evaluate("hello"))
    second = a.summary()
    assert (first["events"], second["events"]) == (1, 2)
    assert second["verdicts"]["allow"] == first["verdicts"]["allow"] + 1
    assert repr(a) == "<govstream.Analytics events=2>"


def test_a_bad_item_adds_nothing_and_is_named() -> None:
    a = govstream.Analytics(NOW)
    good = POLICY.evaluate("hello")
    with pytest.raises(govstream.InputError) as e:
        a.extend([good, {"record_type": "event"}])
    assert e.value.location == "records[1]"
    with pytest.raises(govstream.InputError):
        a.add({"not": "a record"})
    assert a.summary()["events"] == 0


def test_many_threads_adding_lose_nothing() -> None:
    a = govstream.Analytics(NOW, scan_cap=None)
    d = POLICY.evaluate("mail jane.doe@acme.com")

    def work() -> None:
        for _ in range(200):
            a.add(d)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    s = a.summary()
    assert (s["events"], s["dlp_matches"]) == (800, 800)


def test_the_html_report_escapes_its_title() -> None:
    a = govstream.Analytics(NOW)
    a.extend(decisions())
    page = a.report_html("<b>Acme</b> & co")
    assert page.startswith("<!DOCTYPE html>") or page.startswith("<!doctype html>")
    assert "&lt;b&gt;Acme&lt;/b&gt; &amp; co" in page and "<b>Acme" not in page
