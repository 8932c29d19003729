"""Delivery through the native driver: JSONL files, HTTP, memory, Python callables."""

import http.server
import json
import pathlib
import subprocess
import sys
import threading
from typing import List

import govstream
import pytest

POLICY = govstream.Policy.default()
EMAIL = "mail jane.doe@acme.com the report"


def test_a_jsonl_sink_writes_every_record_of_a_decision(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "events.jsonl"
    d = POLICY.evaluate(EMAIL, user_id="u1")
    with govstream.Pipeline([govstream.Sink.jsonl("file", path)]) as p:
        p.emit(d)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines == d.records()
    assert p.stats()[0]["delivered"] == 2


def test_a_record_dict_is_accepted_and_a_non_record_refused() -> None:
    record = POLICY.evaluate(EMAIL).records()[1]
    with govstream.Pipeline([govstream.Sink.memory("m", capacity=10)]) as p:
        p.emit(record)
        with pytest.raises(govstream.InputError):
            p.emit({"record_type": "nonsense"})
        assert p.flush()
        assert p.memory_records("m") == [record]


def test_memory_records_survive_close_and_unknown_names_raise() -> None:
    p = govstream.Pipeline([govstream.Sink.memory("m", capacity=1), govstream.Sink.memory("n")])
    p.emit(POLICY.evaluate(EMAIL))
    assert p.close()
    # Capacity 1 keeps the newest record only.
    assert [r["record_type"] for r in p.memory_records("m")] == ["dlp_match"]
    assert len(p.memory_records("n")) == 2
    with pytest.raises(govstream.InputError):
        p.memory_records("nope")
    with pytest.raises(govstream.InputError):
        p.emit(POLICY.evaluate(EMAIL))
    assert p.close()


def test_a_callback_receives_json_lines_batches() -> None:
    batches: List[bytes] = []
    d = POLICY.evaluate(EMAIL)
    with govstream.Pipeline([govstream.Sink.callback("cb", batches.append)]) as p:
        p.emit(d)
        assert p.flush(timeout=5.0)
    received = [json.loads(line) for b in batches for line in b.decode().splitlines()]
    assert received == d.records()
    assert all(isinstance(b, bytes) for b in batches)


def test_a_raising_callback_is_a_counted_failed_delivery_then_retried() -> None:
    calls: List[int] = []

    def flaky(batch: bytes) -> None:
        calls.append(len(batch))
        if len(calls) == 1:
            raise RuntimeError("siem down")

    with govstream.Pipeline([govstream.Sink.callback("cb", flaky)]) as p:
        p.emit(POLICY.evaluate(EMAIL))
        assert p.flush(timeout=10.0)
        s = p.stats()[0]
    assert len(calls) == 2
    assert s["delivered"] == 2 and s["retried"] == 2
    assert "siem down" in s["last_error"]


def test_a_callback_that_always_raises_is_dead_lettered_not_lost() -> None:
    def broken(batch: bytes) -> None:
        raise ValueError("no")

    p = govstream.Pipeline([govstream.Sink.callback("cb", broken, max_attempts=1)])
    p.emit(POLICY.evaluate(EMAIL))
    # Nothing is pending, but nothing was delivered: the result is false and
    # says why (it was true here before, as if everything was delivered).
    r = p.close(timeout=5.0)
    assert not r and r.complete and (r.delivered, r.dead_lettered, r.pending) == (0, 2, 0)
    s = p.stats()[0]
    assert s["delivered"] == 0 and s["dead_lettered"] == 2
    assert s["emitted"] == s["delivered"] + s["dead_lettered"] + s["pending"] + sum(s["dropped"].values())


def test_close_times_out_and_counts_what_is_left_as_dropped() -> None:
    def broken(batch: bytes) -> None:
        raise ValueError("no")

    p = govstream.Pipeline([govstream.Sink.callback("cb", broken, max_attempts=0)])
    p.emit(POLICY.evaluate(EMAIL))
    assert not p.flush(timeout=0.2)
    assert not p.close(timeout=0.1)
    assert p.stats()[0]["dropped"] == {"shutdown": 2}


def test_emitting_from_many_threads_with_a_python_sink_does_not_deadlock() -> None:
    seen: List[bytes] = []
    with govstream.Pipeline([govstream.Sink.callback("cb", seen.append)]) as p:
        def work() -> None:
            for _ in range(50):
                p.emit(POLICY.evaluate(EMAIL))
                p.stats()

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert p.flush(timeout=10.0)
    assert sum(len(b.splitlines()) for b in seen) == 4 * 50 * 2


def test_bad_configuration_lists_every_problem() -> None:
    with pytest.raises(govstream.ValidationError) as e:
        govstream.Pipeline([govstream.Sink.memory("a"), govstream.Sink.memory("a", capacity=1)])
    assert ("$.sinks[1].name", "duplicate sink name `a`") in e.value.problems
    with pytest.raises(govstream.InputError):
        govstream.Pipeline([govstream.Sink.memory("a")]).flush(timeout=-1.0)


def test_a_dropped_pipeline_with_a_python_sink_stops_cleanly() -> None:
    seen: List[bytes] = []
    p = govstream.Pipeline([govstream.Sink.callback("cb", seen.append)])
    p.emit(POLICY.evaluate(EMAIL))
    del p  # the driver stops and delivers on drop without holding the GIL
    assert sum(len(b.splitlines()) for b in seen) == 2


class _Collector(http.server.BaseHTTPRequestHandler):
    """Answers each POST with the next status of `statuses` (then 200)."""

    statuses: List[int] = []
    bodies: List[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status = self.statuses.pop(0) if self.statuses else 200
        if status == 200:
            self.bodies.append(body)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_an_http_sink_posts_json_lines_and_retries_a_503() -> None:
    _Collector.statuses = [503]
    _Collector.bodies = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/ingest"
        d = POLICY.evaluate(EMAIL)
        with govstream.Pipeline([govstream.Sink.http("collector", url)]) as p:
            p.emit(d)
            assert p.flush(timeout=10.0)
        s = p.stats()[0]
        assert (s["delivered"], s["retried"]) == (2, 2)
        received = [json.loads(line) for b in _Collector.bodies for line in b.splitlines()]
        assert received == d.records()
    finally:
        server.shutdown()


def test_pipelines_left_open_deliver_at_interpreter_exit(tmp_path: pathlib.Path) -> None:
    # A callable sink needs the interpreter: delivery must happen before
    # the module's globals are torn down, not when the object is collected.
    out = tmp_path / "delivered.jsonl"
    script = tmp_path / "gateway.py"
    script.write_text(
        "import govstream, sys\n"
        "out = open(sys.argv[1], 'ab')\n"
        "def send(batch):\n"
        "    out.write(batch)\n"
        "    out.flush()\n"
        "p = govstream.Pipeline([govstream.Sink.callback('siem', send).with_options(max_wait=60.0)])\n"
        "p.emit(govstream.Policy.default().evaluate('mail jane.doe@acme.com'))\n"
    )
    run = subprocess.run([sys.executable, str(script), str(out)], capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert len(out.read_bytes().splitlines()) == 2
