"""The SIEM targets as Python sinks, each against a loopback receiver that
checks what the target itself would: path, credentials, envelope, framing."""

import base64
import gzip
import hashlib
import hmac
import http.server
import json
import pathlib
import socketserver
import threading
import time
from typing import Any, Callable, Dict, Iterator, List, Tuple

import govstream
import pytest

POLICY = govstream.Policy.default()
EMAIL = "mail jane.doe@acme.com the report"


class Request:
    def __init__(self, path: str, headers: Dict[str, str], body: bytes) -> None:
        self.path = path
        self.headers = headers
        self.body = body


class Receiver:
    """A loopback HTTP server keeping every request; answers 200 with
    `answer` as the body."""

    def __init__(self) -> None:
        self.requests: List[Request] = []
        self.answer = b""
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.requests.append(Request(self.path, headers, body))
                self.send_response(200)
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


def deliver(sink: govstream.Sink, *decisions: govstream.Decision) -> Dict[str, Any]:
    with govstream.Pipeline([sink]) as p:
        for d in decisions:
            p.emit(d)
        assert p.flush(timeout=10.0)
    stats: Dict[str, Any] = p.stats()[0]
    return stats


def test_splunk_hec_posts_event_envelopes_with_the_token(receiver: Receiver) -> None:
    d = POLICY.evaluate(EMAIL, user_id="u1")
    sink = govstream.Sink.splunk_hec("splunk", receiver.url, "hec-s3cret", index="ai", host="gw-1")
    assert deliver(sink, d)["delivered"] == 2
    [req] = receiver.requests
    assert req.path == "/services/collector/event"
    assert req.headers["authorization"] == "Splunk hec-s3cret"
    decoder = json.JSONDecoder()
    text, envelopes, at = req.body.decode(), [], 0
    while at < len(text):
        obj, at = decoder.raw_decode(text, at)
        envelopes.append(obj)
        while at < len(text) and text[at].isspace():
            at += 1
    assert [e["event"] for e in envelopes] == d.records()
    assert {(e["index"], e["host"], e["sourcetype"], e["source"]) for e in envelopes} == {
        ("ai", "gw-1", "_json", "govstream")
    }


def test_elasticsearch_bulk_authenticates_and_dead_letters_a_refused_document(
    receiver: Receiver,
) -> None:
    d = POLICY.evaluate(EMAIL)
    receiver.answer = json.dumps(
        {
            "errors": True,
            "items": [
                {"create": {"status": 201}},
                {"create": {"status": 400, "error": {"type": "mapper_parsing_exception"}}},
            ],
        }
    ).encode()
    sink = govstream.Sink.elasticsearch(
        "es", receiver.url, "logs-govstream-default", username="elastic", password="pw"
    ).with_options(max_batch_records=2)
    with govstream.Pipeline([sink]) as p:
        p.emit(d)
        # One delivered, one given up: the result says so (it was plainly
        # true here before, as if both were delivered).
        r = p.flush(timeout=10.0)
        assert r.complete and (r.delivered, r.dead_lettered) == (1, 1) and not r
        letters = p.dead_letters("es")
    s = p.stats()[0]
    assert (s["delivered"], s["dead_lettered"]) == (1, 1)
    assert letters[0]["record_ids"] == [d.records()[1]["match_id"]]
    assert "mapper_parsing_exception" in letters[0]["reason"]
    assert p.dead_letters("es") == letters  # kept after close
    req = receiver.requests[0]
    assert req.path == "/_bulk"
    assert req.headers["authorization"] == "Basic " + base64.b64encode(b"elastic:pw").decode()
    lines = [json.loads(line) for line in req.body.splitlines()]
    assert lines[0] == {"create": {"_id": d.records()[0]["event_id"], "_index": "logs-govstream-default"}}
    assert lines[1]["event"]["id"] == d.records()[0]["event_id"]


def test_a_webhook_is_signed_as_standard_webhooks_specifies(receiver: Receiver) -> None:
    key = b"0123456789abcdef0123456789abcdef"
    secret = "whsec_" + base64.b64encode(key).decode()
    d = POLICY.evaluate(EMAIL)
    deliver(govstream.Sink.webhook("hook", receiver.url + "/in", secret, event_type="ai.governance"), d)
    [req] = receiver.requests
    assert req.path == "/in"
    # https://www.standardwebhooks.com: HMAC-SHA256 over "id.timestamp.body".
    signed = f'{req.headers["webhook-id"]}.{req.headers["webhook-timestamp"]}.'.encode() + req.body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert expected in req.headers["webhook-signature"].split(" ")
    payload = json.loads(req.body)
    assert payload["type"] == "ai.governance" and payload["data"] == d.records()


def test_azure_logs_sends_rows_and_takes_a_new_token_without_a_restart(receiver: Receiver) -> None:
    url = receiver.url + "/dataCollectionRules/dcr-1/streams/Custom-Govstream?api-version=2023-01-01"
    sink = govstream.Sink.azure_logs("sentinel", url, "first-token")
    with govstream.Pipeline([sink]) as p:
        p.emit(POLICY.evaluate(EMAIL))
        assert p.flush(timeout=10.0)
        sink.set_bearer_token("second-token")
        p.emit(POLICY.evaluate("hello"))
        assert p.flush(timeout=10.0)
    tokens = [r.headers["authorization"] for r in receiver.requests]
    assert tokens == ["Bearer first-token", "Bearer second-token"]
    assert receiver.requests[0].path.endswith("/streams/Custom-Govstream?api-version=2023-01-01")
    rows = json.loads(receiver.requests[0].body)
    assert len(rows) == 2 and all("TimeGenerated" in r for r in rows)


def test_otlp_sets_the_resource_and_extra_headers(receiver: Receiver) -> None:
    sink = govstream.Sink.otlp(
        "otel",
        receiver.url,
        service_name="chat-gateway",
        resource_attributes={"deployment.environment.name": "prod"},
        headers={"x-api-key": "k1"},
    )
    deliver(sink, POLICY.evaluate(EMAIL))
    [req] = receiver.requests
    assert req.path == "/v1/logs" and req.headers["x-api-key"] == "k1"
    resource = json.loads(req.body)["resourceLogs"][0]["resource"]["attributes"]
    attrs = {a["key"]: a["value"]["stringValue"] for a in resource}
    assert attrs["service.name"] == "chat-gateway"
    assert attrs["deployment.environment.name"] == "prod"


def test_ocsf_as_one_array_per_request(receiver: Receiver) -> None:
    sink = govstream.Sink.ocsf("lake", receiver.url + "/ocsf", framing="json_array", authorization="Bearer x")
    deliver(sink, POLICY.evaluate(EMAIL))
    [req] = receiver.requests
    assert req.headers["authorization"] == "Bearer x"
    events = json.loads(req.body)
    assert isinstance(events, list) and len(events) == 2
    assert all(isinstance(e["class_uid"], int) for e in events)


class TcpReceiver:
    def __init__(self) -> None:
        self.data = bytearray()
        receiver = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                while chunk := self.request.recv(65536):
                    receiver.data.extend(chunk)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def received(tcp: TcpReceiver, done: Callable[[bytes], bool]) -> bytes:
    """What `tcp` has read once `done` says it is all there: a delivered
    batch may still be in the socket when `flush` returns."""
    deadline = time.monotonic() + 10.0
    while not done(bytes(tcp.data)) and time.monotonic() < deadline:
        time.sleep(0.01)
    return bytes(tcp.data)


def octet_counted(data: bytes) -> List[str]:
    """RFC 6587 §3.4.1 frames: `LEN SP MSG`."""
    messages, at = [], 0
    while at < len(data):
        space = data.find(b" ", at)
        if space < 0 or len(data) < space + 1 + int(data[at:space]):
            break  # a frame still arriving
        length = int(data[at:space])
        messages.append(data[space + 1 : space + 1 + length].decode())
        at = space + 1 + length
    return messages


def test_syslog_and_cef_over_tcp() -> None:
    tcp = TcpReceiver()
    try:
        d = POLICY.evaluate(EMAIL)
        syslog = govstream.Sink.syslog("syslog", tcp.address, hostname="gw-1", facility=10)
        cef = govstream.Sink.cef("cef", "tcp://" + tcp.address)
        with govstream.Pipeline([syslog]) as p:
            p.emit(d)
            assert p.flush(timeout=10.0)
        messages = octet_counted(received(tcp, lambda b: len(octet_counted(b)) >= 2))
        assert len(messages) == 2
        # PRI = facility * 8 + severity; the event line starts `<PRI>1 TIMESTAMP gw-1 govstream`.
        assert all(m.split(" ")[2:4] == ["gw-1", "govstream"] for m in messages)
        assert all(8 * 10 <= int(m[1 : m.index(">")]) < 8 * 11 for m in messages)
        tcp.data.clear()
        with govstream.Pipeline([cef]) as p:
            p.emit(d)
            assert p.flush(timeout=10.0)
        lines = received(tcp, lambda b: b.count(b"\n") >= 2).decode().splitlines()
        assert len(lines) == 2 and all(line.startswith("CEF:0|govstream|") for line in lines)
    finally:
        tcp.server.shutdown()


def test_kinds_and_batch_size_come_from_with_options() -> None:
    batches: List[bytes] = []
    sink = govstream.Sink.callback("cb", batches.append).with_options(
        kinds=["dlp_match"], max_batch_records=1, max_wait=0.01
    )
    d = POLICY.evaluate("mail jane.doe@acme.com and ops@acme.com")
    assert deliver(sink, d)["delivered"] == 2
    assert [json.loads(b)["record_type"] for b in batches] == ["dlp_match", "dlp_match"]


def test_a_full_blocking_sink_makes_emit_wait_then_raise() -> None:
    release = threading.Event()
    sink = govstream.Sink.callback("slow", lambda b: release.wait(10)).with_options(
        overflow="block", queue_capacity=1, max_batch_records=1, max_in_flight=1, max_wait=0.0
    )
    with govstream.Pipeline([sink]) as p:
        with pytest.raises(govstream.InputError, match="full"):
            for _ in range(10):
                p.emit(POLICY.evaluate("hello"), timeout=0.05)
        release.set()
        assert p.flush(timeout=10.0)
    s = p.stats()[0]
    assert s["delivered"] == s["emitted"] and sum(s["dropped"].values()) == 0


def test_the_outbox_delivers_after_a_restart(tmp_path: pathlib.Path) -> None:
    outbox = tmp_path / "outbox"
    d = POLICY.evaluate(EMAIL)

    def down(batch: bytes) -> None:
        raise ConnectionError("siem down")

    first = govstream.Pipeline([govstream.Sink.callback("siem", down, max_attempts=0)], outbox=outbox)
    first.emit(d)
    assert not first.close(timeout=0.3)
    received: List[bytes] = []
    with govstream.Pipeline([govstream.Sink.callback("siem", received.append)], outbox=outbox) as p:
        assert p.flush(timeout=10.0)
    assert [json.loads(line) for b in received for line in b.splitlines()] == d.records()


BAD: List[Tuple[str, Any]] = [
    ("url", lambda: govstream.Sink.splunk_hec("s", "splunk.example:8088", "t")),
    ("url", lambda: govstream.Sink.http("s", "https:///path")),
    ("token", lambda: govstream.Sink.splunk_hec("s", "https://h", " ")),
    ("api_key", lambda: govstream.Sink.elasticsearch("e", "https://h", "i", api_key="k", username="u", password="p")),
    ("username", lambda: govstream.Sink.elasticsearch("e", "https://h", "i", username="u")),
    ("secret", lambda: govstream.Sink.webhook("w", "https://h", 42)),
    ("secret", lambda: govstream.Sink.webhook("w", "https://h", [])),
    ("secret", lambda: govstream.Sink.webhook("w", "https://h", ["whsec_a", ""])),
    ("framing", lambda: govstream.Sink.ocsf("o", "https://h", framing="xml")),
    ("message", lambda: govstream.Sink.syslog("s", "h:514", message="leef")),
    ("address", lambda: govstream.Sink.syslog("s", "h")),
    ("address", lambda: govstream.Sink.cef("c", "h:99999")),
    ("headers", lambda: govstream.Sink.otlp("o", "https://h", headers={"x": 1})),
    ("max_wait", lambda: govstream.Sink.memory("m").with_options(max_wait=-1.0)),
    ("overflow", lambda: govstream.Sink.memory("m").with_options(overflow="wait")),
    ("sink", lambda: govstream.Sink.memory("m").set_bearer_token("t")),
]


@pytest.mark.parametrize("location,make", BAD)
def test_bad_sink_arguments_raise_input_errors_naming_the_argument(location: str, make: Any) -> None:
    with pytest.raises(govstream.InputError) as e:
        make()
    assert e.value.location == location


def test_bad_options_are_reported_when_the_pipeline_starts() -> None:
    sink = govstream.Sink.memory("m").with_options(kinds=["events"], max_batch_records=0)
    with pytest.raises(govstream.ValidationError) as e:
        govstream.Pipeline([sink])
    paths = [path for path, _ in e.value.problems]
    assert "$.sinks[0].kinds[0]" in paths and any("max_batch_records" in m for _, m in e.value.problems)


def test_credentials_never_show_in_a_repr() -> None:
    sinks = [
        govstream.Sink.splunk_hec("a", "https://h", "hec-s3cret"),
        govstream.Sink.elasticsearch("b", "https://h", "i", api_key="es-s3cret"),
        govstream.Sink.webhook("c", "https://h", "whsec-s3cret"),
        govstream.Sink.azure_logs("d", "https://h/x", "az-s3cret"),
        govstream.Sink.ocsf("e", "https://h", authorization="Bearer oc-s3cret"),
    ]
    assert [s.kind for s in sinks] == ["splunk_hec", "elasticsearch", "webhook", "azure_logs", "ocsf"]
    assert not any("s3cret" in repr(s) for s in sinks)


CREDENTIAL = "pw-0f9e8d7c"


@pytest.mark.parametrize(
    "location,make",
    [
        ("url", lambda: govstream.Sink.http("s", f"https://user:{CREDENTIAL}@")),
        ("url", lambda: govstream.Sink.splunk_hec("s", f"user:{CREDENTIAL}@splunk.example:8088", "t")),
        ("address", lambda: govstream.Sink.syslog("s", f"tcp://user:{CREDENTIAL}@127.0.0.1:1")),
        ("address", lambda: govstream.Sink.cef("c", f"{CREDENTIAL}")),
        ("framing", lambda: govstream.Sink.ocsf("o", "https://h", framing=CREDENTIAL)),
    ],
)
def test_a_rejected_argument_is_named_never_repeated(location: str, make: Any) -> None:
    with pytest.raises(govstream.InputError) as e:
        make()
    assert e.value.location == location
    assert CREDENTIAL not in str(e.value) and CREDENTIAL not in repr(e.value.args)


def test_delivery_errors_show_the_endpoint_without_credentials_or_query() -> None:
    # Port 1 on loopback refuses at once; the sink keeps retrying.
    url = f"http://user:{CREDENTIAL}@127.0.0.1:1/in?token=tok-{CREDENTIAL}"
    sink = govstream.Sink.http("h", url).with_options(max_wait=0.0, initial_backoff=0.02, max_backoff=0.05)
    p = govstream.Pipeline([sink])
    try:
        p.emit(POLICY.evaluate(EMAIL))
        deadline = time.monotonic() + 10.0
        while p.stats()[0].get("last_error") is None and time.monotonic() < deadline:
            time.sleep(0.02)
        error = p.stats()[0].get("last_error")
    finally:
        p.close(timeout=0.2)
    assert error is not None and "http://127.0.0.1:1" in error, error
    assert CREDENTIAL not in error and "user" not in error, error
