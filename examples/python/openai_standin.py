"""A stand-in for an OpenAI-compatible API on loopback, for the examples and
tests: no network, no key. Serves `POST /v1/chat/completions` and
`POST /v1/responses`, whole or streamed as server-sent events
(`"stream": true`), in the shapes of the OpenAI API reference.

The answer is `server.reply` (a string, or a callable taking the request
body); by default it echoes the last user text. Every request body
received is kept in `server.requests`, so a test can check what was sent.

    with StandIn() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="test")
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterator, List, Optional, Union

Reply = Union[str, Callable[[Dict[str, Any]], str]]


def last_user_text(body: Dict[str, Any]) -> str:
    """The last user text of a chat or responses request body."""
    items = body.get("messages") or body.get("input") or []
    if isinstance(items, str):
        return items
    for item in reversed(items):
        if isinstance(item, dict) and item.get("role", "user") == "user":
            content = item.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


class StandIn:
    """The server: start it with `with StandIn() as s:` (or `start()`)."""

    def __init__(self, reply: Optional[Reply] = None, chunk_chars: int = 4) -> None:
        self.reply: Reply = reply if reply is not None else (lambda body: f"You said: {last_user_text(body)}")
        self.chunk_chars = chunk_chars
        self.requests: List[Dict[str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT/v1`, for `base_url` / `api_base`."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> "StandIn":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "StandIn":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def answer(self, body: Dict[str, Any]) -> str:
        return self.reply(body) if callable(self.reply) else self.reply

    def _handler(self) -> type:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(body)
                path = self.path.split("?")[0]
                text = server.answer(body)
                model = body.get("model", "stand-in")
                if path.endswith("/chat/completions"):
                    events = chat_events(text, model, server.chunk_chars) if body.get("stream") else None
                    whole = chat_completion(text, model)
                elif path.endswith("/responses"):
                    events = response_events(text, model, server.chunk_chars) if body.get("stream") else None
                    whole = response(text, model, "completed")
                else:
                    self._send(404, {"error": {"message": f"no route {path}", "type": "invalid_request_error"}})
                    return
                if events is None:
                    self._send(200, whole)
                    return
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("connection", "close")
                self.end_headers()
                for event in events:
                    self.wfile.write(event.encode("utf-8"))
                    self.wfile.flush()
                self.close_connection = True

            def _send(self, status: int, obj: Dict[str, Any]) -> None:
                data = json.dumps(obj).encode("utf-8")
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _pieces(text: str, n: int) -> Iterator[str]:
    for i in range(0, len(text), n):
        yield text[i : i + n]


def _sse(obj: Dict[str, Any], event: Optional[str] = None) -> str:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(obj)}\n\n"


def chat_completion(text: str, model: str) -> Dict[str, Any]:
    return {
        "id": "chatcmpl-standin",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop", "logprobs": None}
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
    }


def chat_events(text: str, model: str, n: int) -> Iterator[str]:
    def chunk(delta: Dict[str, Any], finish: Optional[str]) -> str:
        return _sse(
            {
                "id": "chatcmpl-standin",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
            }
        )

    yield chunk({"role": "assistant", "content": ""}, None)
    for piece in _pieces(text, n):
        yield chunk({"content": piece}, None)
    yield chunk({}, "stop")
    yield "data: [DONE]\n\n"


def _message(text: str, status: str) -> Dict[str, Any]:
    return {
        "id": "msg_standin",
        "type": "message",
        "role": "assistant",
        "status": status,
        "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}],
    }


def response(text: str, model: str, status: str, output: Optional[List[Any]] = None) -> Dict[str, Any]:
    return {
        "id": "resp_standin",
        "object": "response",
        "created_at": int(time.time()),
        "model": model,
        "status": status,
        "output": [_message(text, "completed")] if output is None else output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": 5,
            "output_tokens": 7,
            "total_tokens": 12,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        },
    }


def response_events(text: str, model: str, n: int) -> Iterator[str]:
    seq = iter(range(1_000_000))

    def ev(kind: str, **fields: Any) -> str:
        return _sse({"type": kind, "sequence_number": next(seq), **fields}, kind)

    yield ev("response.created", response=response("", model, "in_progress", output=[]))
    yield ev("response.in_progress", response=response("", model, "in_progress", output=[]))
    item = {"id": "msg_standin", "type": "message", "role": "assistant", "status": "in_progress", "content": []}
    yield ev("response.output_item.added", output_index=0, item=item)
    part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
    yield ev("response.content_part.added", item_id="msg_standin", output_index=0, content_index=0, part=part)
    for piece in _pieces(text, n):
        yield ev(
            "response.output_text.delta",
            item_id="msg_standin",
            output_index=0,
            content_index=0,
            delta=piece,
            logprobs=[],
        )
    yield ev(
        "response.output_text.done", item_id="msg_standin", output_index=0, content_index=0, text=text, logprobs=[]
    )
    yield ev(
        "response.content_part.done",
        item_id="msg_standin",
        output_index=0,
        content_index=0,
        part={**part, "text": text},
    )
    yield ev("response.output_item.done", output_index=0, item=_message(text, "completed"))
    yield ev("response.completed", response=response(text, model, "completed"))


if __name__ == "__main__":
    with StandIn() as s:
        print(f"serving on {s.base_url}; Ctrl-C to stop")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
