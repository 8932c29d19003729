"""govstream.integrations.asgi in a real FastAPI app (Starlette's TestClient
over httpx), with answers in the shapes of the OpenAI API."""

import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import govstream

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "python"))

if os.environ.get("GOVSTREAM_REQUIRE_INTEGRATIONS"):
    import fastapi
else:
    fastapi = pytest.importorskip("fastapi")

from fastapi import Request, WebSocket  # noqa: E402
from fastapi.responses import PlainTextResponse, StreamingResponse  # noqa: E402
from openai_standin import chat_completion, chat_events, response, response_events  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from govstream.integrations.asgi import GovstreamMiddleware  # noqa: E402

POLICY = govstream.Policy.from_dict(
    {"actions": {"prompt": {"medium": "redact", "critical": "block"}, "response": {"medium": "redact"}}}
)
KEY = "AKIAIOSFODNN7EXAMPLE"
EMAIL = "jane.doe@example.com"
LONG_REPLY = ("Every region reported steady numbers this quarter. " * 400) + f"Key {KEY}, mail {EMAIL}."


def make_app(reply: str, policy: govstream.Policy = POLICY, **options: Any) -> Any:
    """A service answering like the OpenAI API, governed by the middleware;
    `app.state.seen` keeps the bodies the service received."""
    app = fastapi.FastAPI()
    app.state.seen = []

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Any:
        body = await request.json()
        app.state.seen.append(body)
        if body.get("stream"):
            return StreamingResponse(chat_events(reply, "m", 64), media_type="text/event-stream")
        return chat_completion(reply, "m")

    @app.post("/v1/responses")
    async def responses(request: Request) -> Any:
        body = await request.json()
        app.state.seen.append(body)
        if body.get("stream"):
            return StreamingResponse(response_events(reply, "m", 64), media_type="text/event-stream")
        return response(reply, "m", "completed")

    @app.post("/ask")
    async def ask(request: Request) -> Any:
        body = await request.json()
        app.state.seen.append(body)
        return PlainTextResponse(reply)

    app.add_middleware(GovstreamMiddleware, policy=policy, **options)
    return app


@pytest.fixture()
def pipeline() -> Iterator[govstream.Pipeline]:
    with govstream.Pipeline([govstream.Sink.memory("m")]) as p:
        yield p


def events(p: govstream.Pipeline) -> List[Dict[str, Any]]:
    p.flush(timeout=5.0)
    return [r for r in p.memory_records("m") if r.get("record_type") == "event"]


def sse_data(text: str) -> List[Any]:
    out = []
    for block in text.split("\n\n"):
        for line in block.split("\n"):
            if line.startswith("data: "):
                data = line[6:]
                out.append(data if data == "[DONE]" else json.loads(data))
    return out


def test_prompt_rewritten_before_the_app_reads_it(pipeline: govstream.Pipeline) -> None:
    app = make_app("ok", pipeline=pipeline)
    body = {"model": "gpt-test", "user": "u_3", "messages": [{"role": "user", "content": f"mail {EMAIL} now"}]}
    r = TestClient(app).post("/v1/chat/completions", json=body)
    assert r.status_code == 200
    assert app.state.seen[-1]["messages"][0]["content"] == "mail [REDACTED:pii.email] now"
    [event] = events(pipeline)
    assert event["verdict"] == "redact" and event["user_id"] == "u_3"
    assert event["route"] == "/v1/chat/completions" and event["model"] == "gpt-test"


def test_blocked_prompt_gets_an_openai_shaped_400() -> None:
    app = make_app("ok")
    r = TestClient(app).post("/v1/responses", json={"model": "m", "input": f"use {KEY}"})
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["type"] == "policy_violation"
    assert error["govstream"]["verdict"] == "block"
    assert error["govstream"]["rules"] == ["secrets.aws_access_key_id"]
    assert KEY not in r.text
    assert app.state.seen == []


def test_custom_extractor_paths_context_and_status(pipeline: govstream.Pipeline) -> None:
    app = make_app(
        "fine",
        pipeline=pipeline,
        paths=None,
        extractor=lambda body: [("question",)] if isinstance(body.get("question"), str) else [],
        context=lambda scope, body: {"user_id": dict(scope["headers"]).get(b"x-user", b"").decode()},
        status_code=403,
    )
    client = TestClient(app)
    r = client.post("/ask", json={"question": f"is {EMAIL} right?"}, headers={"x-user": "u_5"})
    assert r.status_code == 200 and r.text == "fine"
    assert app.state.seen[-1]["question"] == "is [REDACTED:pii.email] right?"
    r = client.post("/ask", json={"question": KEY}, headers={"x-user": "u_6"})
    assert r.status_code == 403 and len(app.state.seen) == 1
    assert [(e["user_id"], e["verdict"]) for e in events(pipeline)] == [("u_5", "redact"), ("u_6", "block")]


def test_what_is_not_a_governed_json_post_passes() -> None:
    app = make_app("fine")
    client = TestClient(app, raise_server_exceptions=False)
    # Not a governed path.
    assert client.post("/ask", json={"question": KEY}).status_code == 200
    # Not JSON: passed to the app, which answers as it would.
    r = client.post("/v1/chat/completions", content=b"not json", headers={"content-type": "text/plain"})
    assert r.status_code == 500 and app.state.seen == [{"question": KEY}]


def test_body_too_large_is_refused_not_passed() -> None:
    app = make_app("ok", max_body_bytes=1000)
    r = TestClient(app).post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "x" * 2000}]})
    assert r.status_code == 413 and app.state.seen == []


def test_json_answers_redacted_or_refused() -> None:
    client = TestClient(make_app(f"Reach {EMAIL}", redact_responses=True))
    r = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}]})
    assert r.json()["choices"][0]["message"]["content"] == "Reach [REDACTED:pii.email]"
    assert int(r.headers["content-length"]) == len(r.content)
    r = client.post("/v1/responses", json={"input": "hi"})
    assert r.json()["output"][0]["content"][0]["text"] == "Reach [REDACTED:pii.email]"
    strict = govstream.Policy.from_dict({"actions": {"response": {"critical": "block"}}})
    app = make_app(f"key {KEY}", strict, redact_responses=True)
    r = TestClient(app).post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}]})
    assert r.status_code == 400 and r.json()["error"]["govstream"]["phase"] == "response"


def test_streamed_chat_answer_redacted_event_by_event(pipeline: govstream.Pipeline) -> None:
    client = TestClient(make_app(LONG_REPLY, redact_responses=True, pipeline=pipeline))
    body = {"stream": True, "messages": [{"role": "user", "content": "hi"}]}
    with client.stream("POST", "/v1/chat/completions", json=body) as r:
        text = "".join(r.iter_text())
    data = sse_data(text)
    assert data[-1] == "[DONE]"
    pieces = [c["delta"].get("content") or "" for d in data[:-1] for c in d["choices"]]
    assert "".join(pieces) == POLICY.redact(LONG_REPLY)
    assert next(i for i, p in enumerate(pieces) if p) < len(pieces) - 2
    assert [e["phase"] for e in events(pipeline)] == ["prompt", "response"]


def test_streamed_responses_answer_redacted() -> None:
    client = TestClient(make_app(LONG_REPLY, redact_responses=True))
    with client.stream("POST", "/v1/responses", json={"stream": True, "input": "hi"}) as r:
        text = "".join(r.iter_text())
    data = sse_data(text)
    expected = POLICY.redact(LONG_REPLY)
    assert "".join(d["delta"] for d in data if d["type"] == "response.output_text.delta") == expected
    [done] = [d for d in data if d["type"] == "response.output_text.done"]
    assert done["text"] == expected
    assert data[-1]["type"] == "response.completed"
    assert data[-1]["response"]["output"][0]["content"][0]["text"] == expected
    assert "event: response.output_text.delta\n" in text


def test_streamed_answer_stopped_by_policy_ends_with_an_error_event() -> None:
    strict = govstream.Policy.from_dict({"actions": {"response": {"critical": "block"}}})
    client = TestClient(make_app(LONG_REPLY, strict, redact_responses=True))
    body = {"stream": True, "messages": [{"role": "user", "content": "hi"}]}
    with client.stream("POST", "/v1/chat/completions", json=body) as r:
        text = "".join(r.iter_text())
    data = sse_data(text)
    assert data[-1] == "[DONE]"
    assert data[-2]["error"]["govstream"] == {
        "phase": "response",
        "verdict": "block",
        "reason_code": "dlp:secrets.aws_access_key_id",
        "rules": ["pii.email", "secrets.aws_access_key_id"],
        "event_id": data[-2]["error"]["govstream"]["event_id"],
    }
    assert KEY not in text


def test_websocket_and_lifespan_pass_through() -> None:
    app = make_app("ok")

    @app.websocket("/ws")
    async def ws(socket: WebSocket) -> None:
        await socket.accept()
        await socket.send_text(await socket.receive_text())
        await socket.close()

    with TestClient(app) as client, client.websocket_connect("/ws") as socket:
        socket.send_text(KEY)
        assert socket.receive_text() == KEY
