"""ASGI middleware that governs the prompts a FastAPI or Starlette service
receives over HTTP, and optionally the answers it sends back.

    app.add_middleware(GovstreamMiddleware, policy=policy, pipeline=pipeline)

For each `POST` with a JSON body on a governed path, the prompt texts the
extractor finds (by default those of OpenAI-shaped bodies: chat
`messages`, Responses `input` and `instructions`, a completion's
`prompt`) are evaluated; a stopped prompt is answered with a 4xx JSON
error and never reaches the app, a redacted one reaches the app
rewritten. With `redact_responses=True` the app's answer is governed
too: a JSON answer in the OpenAI shapes has its texts replaced by their
redacted text, and a server-sent-event stream of chat chunks or
Responses events is redacted event by event through the policy's stream
redactor. Every decision's records go to the pipeline.
"""

import copy
import json
from typing import Any, Awaitable, Callable, Dict, Iterable, List, MutableMapping, Optional, Sequence, Union

from .. import Pipeline, Policy
from ._common import (
    BlockedByPolicy,
    Governor,
    Path,
    describe,
    govern_prompt,
    prompt_paths,
)
from .openai import AnyChunks, govern_response

__all__ = ["BlockedByPolicy", "GovstreamMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Finds the prompt texts in a request body: their paths (see `prompt_paths`).
Extractor = Callable[[Dict[str, Any]], Sequence[Path]]
#: The evaluation context of a request, from its ASGI scope and JSON body.
ContextFn = Callable[[Scope, Dict[str, Any]], Optional[MutableMapping[str, Any]]]

DEFAULT_PATHS = ("/v1/chat/completions", "/v1/responses", "/v1/completions")


class GovstreamMiddleware:
    """Pure ASGI middleware (no Starlette import needed).

    - `policy`, `pipeline`: what evaluates and where the records go.
    - `paths`: the request paths governed (exact match; `None` for every
      path); default the OpenAI-compatible routes `DEFAULT_PATHS`.
    - `extractor`: body -> paths of the prompt texts, default
      `prompt_paths` (OpenAI-shaped bodies).
    - `context`: a dict, or a callable (scope, body) -> dict, giving the
      evaluation context; `route` (the path), `model` and `user_id` (the
      body's `user`) are filled in when it leaves them out.
    - `status_code`: the status of the refusal (default 400).
    - `redact_responses`: also govern the app's answers (JSON and SSE).
    - `max_body_bytes`: a larger body is refused with 413 rather than
      passed on unscanned.
    """

    def __init__(
        self,
        app: ASGIApp,
        policy: Policy,
        pipeline: Optional[Pipeline] = None,
        *,
        paths: Optional[Iterable[str]] = DEFAULT_PATHS,
        extractor: Extractor = prompt_paths,
        context: Union[None, MutableMapping[str, Any], ContextFn] = None,
        status_code: int = 400,
        redact_responses: bool = False,
        max_body_bytes: int = 16 << 20,
    ) -> None:
        if not 400 <= status_code < 500:
            raise ValueError("status_code must be a 4xx status")
        self.app = app
        self.governor = Governor(policy, pipeline, None, "asgi")
        self.paths = None if paths is None else frozenset(paths)
        self.extractor = extractor
        self.context = context
        self.status_code = status_code
        self.redact_responses = redact_responses
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope.get("type") != "http"
            or scope.get("method") != "POST"
            or (self.paths is not None and scope.get("path") not in self.paths)
        ):
            await self.app(scope, receive, send)
            return
        raw, more = b"", True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            raw += message.get("body", b"")
            more = message.get("more_body", False)
            if len(raw) > self.max_body_bytes:
                await _json_response(send, 413, _error("request body too large to scan", "body_too_large"))
                return
        body = _json_object(raw, scope)
        if body is None:
            # Not a JSON object: no prompt field to find; the app answers.
            await self.app(scope, _replay(raw, receive), send)
            return
        ctx = self._context(scope, body)
        try:
            new_body = self._govern_prompt(body, ctx)
        except BlockedByPolicy as stop:
            detail = describe(stop.decision, "prompt")
            await _json_response(send, self.status_code, _error("prompt refused by policy", "policy_violation", detail))
            return
        if new_body is not body:
            raw = json.dumps(new_body, ensure_ascii=False).encode("utf-8")
            scope = dict(scope)
            scope["headers"] = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"content-length"]
            scope["headers"].append((b"content-length", str(len(raw)).encode("ascii")))
        if self.redact_responses:
            send = _ResponseGovernor(self, ctx, send).send
        await self.app(scope, _replay(raw, receive), send)

    def _context(self, scope: Scope, body: Dict[str, Any]) -> Dict[str, Any]:
        if callable(self.context):
            ctx = dict(self.context(scope, body) or {})
        else:
            ctx = dict(self.context or {})
        ctx.setdefault("route", scope.get("path", ""))
        if isinstance(body.get("model"), str):
            ctx.setdefault("model", body["model"])
        if isinstance(body.get("user"), str):
            ctx.setdefault("user_id", body["user"])
        return ctx

    def _govern_prompt(self, body: Dict[str, Any], ctx: Dict[str, Any]) -> Dict[str, Any]:
        new, _ = govern_prompt(self.governor, body, ctx, self.extractor)
        return new if new != body else body


def _json_object(raw: bytes, scope: Scope) -> Optional[Dict[str, Any]]:
    content_type = b""
    for key, value in scope.get("headers", []):
        if key.lower() == b"content-type":
            content_type = value.lower()
    if content_type and b"json" not in content_type:
        return None
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _replay(raw: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app `raw` as the whole body, then passes
    on what the server sends next (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        return await receive()

    return replay


def _error(message: str, code: str, detail: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """An error body in the OpenAI API's shape, so OpenAI clients show it."""
    err: Dict[str, Any] = {"message": message, "type": "policy_violation", "code": code}
    if detail is not None:
        err["govstream"] = detail
    return {"error": err}


async def _json_response(send: Send, status: int, obj: Dict[str, Any]) -> None:
    data = json.dumps(obj).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode("ascii"))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data, "more_body": False})


class _View:
    """Attribute access over a JSON dict, so the OpenAI SDK's chunk and
    answer handlers (which read and set attributes) work on parsed JSON."""

    __slots__ = ("_d",)

    def __init__(self, d: Dict[str, Any]) -> None:
        object.__setattr__(self, "_d", d)

    def __getattr__(self, name: str) -> Any:
        value = self._d.get(name)
        if isinstance(value, dict):
            return _View(value)
        if isinstance(value, list):
            return [_View(v) if isinstance(v, dict) else v for v in value]
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, list):
            value = [v._d if isinstance(v, _View) else v for v in value]
        self._d[name] = value._d if isinstance(value, _View) else value

    def model_copy(self, deep: bool = False) -> "_View":
        return _View(copy.deepcopy(self._d) if deep else dict(self._d))


class _ResponseGovernor:
    """Wraps `send`: governs a JSON answer whole, an SSE answer event by
    event; other answers pass unchanged."""

    def __init__(self, middleware: GovstreamMiddleware, ctx: Dict[str, Any], send: Send) -> None:
        self.mw = middleware
        self.ctx = ctx
        self.inner = send
        self.start: Optional[Message] = None
        self.mode = "pass"
        self.buffer = b""
        self.chunks: Any = None
        self._ended = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            content_type = b""
            for key, value in message.get("headers", []):
                if key.lower() == b"content-type":
                    content_type = value.lower()
            if content_type.startswith(b"text/event-stream"):
                self.mode = "sse"
                message = dict(message)
                message["headers"] = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-length"]
                await self.inner(message)
            elif b"json" in content_type and 200 <= message.get("status", 200) < 300:
                self.mode = "json"
                self.start = message
            else:
                await self.inner(message)
            return
        if message["type"] != "http.response.body" or self.mode == "pass":
            await self.inner(message)
            return
        self.buffer += message.get("body", b"")
        more = message.get("more_body", False)
        if self.mode == "json":
            if not more:
                await self._send_json()
            return
        await self._send_events(final=not more)

    async def _send_json(self) -> None:
        assert self.start is not None
        try:
            obj = json.loads(self.buffer)
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            await self.inner(self.start)
            await self.inner({"type": "http.response.body", "body": self.buffer, "more_body": False})
            return
        try:
            govern_response(self.mw.governor, _View(obj), self.ctx)
        except BlockedByPolicy as stop:
            detail = describe(stop.decision, "response")
            await _json_response(
                self.inner, self.mw.status_code, _error("response refused by policy", "policy_violation", detail)
            )
            return
        data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        start = dict(self.start)
        start["headers"] = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        start["headers"].append((b"content-length", str(len(data)).encode("ascii")))
        await self.inner(start)
        await self.inner({"type": "http.response.body", "body": data, "more_body": False})

    async def _send_events(self, final: bool) -> None:
        data = self.buffer.replace(b"\r\n", b"\n")
        *events, rest = data.split(b"\n\n")
        self.buffer = rest
        out: List[bytes] = []
        for event in events:
            out.extend(self._event(event))
        if final:
            if rest.strip():
                out.extend(self._event(rest))
            self.buffer = b""
            if self.chunks is not None and not self._ended:
                out.extend(self._end())
        await self.inner({"type": "http.response.body", "body": b"".join(out), "more_body": not final})

    def _event(self, event: bytes) -> List[bytes]:
        lines = event.split(b"\n")
        data = b"\n".join(line[5:].lstrip(b" ") for line in lines if line.startswith(b"data:"))
        if data.strip() == b"[DONE]":
            return self._end() + [event + b"\n\n"]
        try:
            obj = json.loads(data) if data else None
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            return [event + b"\n\n"]
        if self.chunks is None:
            self.chunks = AnyChunks(self.mw.governor, self.ctx)
        return [_sse(v._d, named=b"event:" in event) for v in self.chunks.on_chunk(_View(obj))]

    def _end(self) -> List[bytes]:
        if self.chunks is None or self._ended:
            return []
        self._ended = True
        out = [_sse(v._d, named=True) for v in self.chunks.on_end()]
        stopped = self.chunks.redactors.stopped()
        if stopped is not None:
            err = _error("response refused by policy", "policy_violation", describe(stopped, "response"))
            out.append(_sse(err, named=False))
        return out


def _sse(obj: Dict[str, Any], named: bool) -> bytes:
    head = f"event: {obj['type']}\n" if named and isinstance(obj.get("type"), str) else ""
    return f"{head}data: {json.dumps(obj, ensure_ascii=False)}\n\n".encode("utf-8")
