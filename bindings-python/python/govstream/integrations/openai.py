"""Governs calls made with the OpenAI Python SDK (`openai.OpenAI` and
`openai.AsyncOpenAI`).

`guard(client, policy, pipeline=...)` wraps `client.chat.completions.create`
and `client.responses.create` (and, for their prompts only, the SDK's
`parse` and `stream` helpers): every prompt text is evaluated before the
request leaves (a stopped prompt raises `BlockedByPolicy` and nothing is
sent; a redacted one is sent redacted), every answer is evaluated (its
text replaced by the redacted text, or `BlockedByPolicy` raised), and a
streamed answer (`stream=True`) is redacted chunk by chunk through the
policy's stream redactor, each chunk keeping its type and shape. Every
decision's records go to the pipeline.
"""

import functools
import inspect
from typing import Any, AsyncIterator, Callable, Dict, Iterator, List, Mapping, Optional, Tuple, TypeVar

from .. import Decision, Pipeline, Policy
from ._common import (
    BlockedByPolicy,
    ContextSource,
    Governor,
    KeyedRedactors,
    govern_prompt,
    stop_if,
    strongest,
)
from ._imports import require

__all__ = ["BlockedByPolicy", "guard"]

_ROUTES = {"chat": "/v1/chat/completions", "responses": "/v1/responses"}

_Client = TypeVar("_Client")


def guard(
    client: _Client,
    policy: Policy,
    *,
    pipeline: Optional[Pipeline] = None,
    context: ContextSource = None,
) -> _Client:
    """Governs `client` (an `openai.OpenAI` or `openai.AsyncOpenAI`) in
    place and returns it.

    `context` is the evaluation context of every call (a dict of the
    event's fields: `user_id`, `org_id`, `tool`, ...), or a callable that
    takes the call's keyword arguments and returns it. A call may add to
    it with the extra keyword `govstream_context={...}`, which is not sent
    to the API (a type checker does not know that keyword: there, use a
    `context` callable reading a `contextvars.ContextVar`). `model` and
    `route` are filled in from the call, and `provider` is `"openai"`
    unless the context says otherwise.
    """
    require("openai", "openai")
    guarded: _Client = _guard(client, Governor(policy, pipeline, context, "openai"))
    return guarded


def _guard(client: Any, governor: Governor) -> Any:
    openai = require("openai", "openai")
    is_async = isinstance(client, openai.AsyncOpenAI)
    if not is_async and not isinstance(client, openai.OpenAI):
        raise TypeError(f"client must be an openai.OpenAI or openai.AsyncOpenAI, not {type(client).__name__}")
    resources = ((client.chat.completions, "chat"), (client.responses, "responses"))
    if any(getattr(resource.create, "__govstream__", False) for resource, _ in resources):
        raise ValueError("this client is already guarded")
    for resource, kind in resources:
        wrapper = _async_create if is_async else _sync_create
        wrapped = wrapper(resource.create, governor, kind)
        wrapped.__govstream__ = True  # type: ignore[attr-defined]
        resource.create = wrapped
        # The SDK's `parse` and `stream` helpers build their own answer
        # types: their prompts are governed, their answers are not.
        for name in ("parse", "stream"):
            original = getattr(resource, name, None)
            if original is not None:
                setattr(resource, name, _prompt_only(original, governor, kind))
    # `client.with_options(...)` and `client.copy(...)` build a new client:
    # it is guarded the same way, or per-call options would bypass the guard.
    copy = client.copy

    @functools.wraps(copy)
    def guarded_copy(*args: Any, **kwargs: Any) -> Any:
        return _guard(copy(*args, **kwargs), governor)

    client.copy = guarded_copy
    client.with_options = guarded_copy
    return client


def _call_context(governor: Governor, kwargs: Dict[str, Any], kind: str) -> Dict[str, Any]:
    extra = kwargs.pop("govstream_context", None)
    ctx = governor.context_for(kwargs, extra)
    if isinstance(kwargs.get("model"), str):
        ctx.setdefault("model", kwargs["model"])
    ctx.setdefault("provider", "openai")
    ctx.setdefault("route", _ROUTES[kind])
    return ctx


def _sync_create(original: Callable[..., Any], governor: Governor, kind: str) -> Callable[..., Any]:
    @functools.wraps(original)
    def create(*args: Any, **kwargs: Any) -> Any:
        ctx = _call_context(governor, kwargs, kind)
        body, _ = govern_prompt(governor, kwargs, ctx)
        result = original(*args, **body)
        if body.get("stream") is True:
            return GuardedStream(result, _chunk_governor(governor, ctx, kind))
        govern_response(governor, result, ctx)
        return result

    return create


def _async_create(original: Callable[..., Any], governor: Governor, kind: str) -> Callable[..., Any]:
    @functools.wraps(original)
    async def create(*args: Any, **kwargs: Any) -> Any:
        ctx = _call_context(governor, kwargs, kind)
        body, _ = govern_prompt(governor, kwargs, ctx)
        result = await original(*args, **body)
        if body.get("stream") is True:
            return GuardedAsyncStream(result, _chunk_governor(governor, ctx, kind))
        govern_response(governor, result, ctx)
        return result

    return create


def _prompt_only(original: Callable[..., Any], governor: Governor, kind: str) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(original):

        @functools.wraps(original)
        async def acall(*args: Any, **kwargs: Any) -> Any:
            ctx = _call_context(governor, kwargs, kind)
            body, _ = govern_prompt(governor, kwargs, ctx)
            return await original(*args, **body)

        return acall

    @functools.wraps(original)
    def call(*args: Any, **kwargs: Any) -> Any:
        ctx = _call_context(governor, kwargs, kind)
        body, _ = govern_prompt(governor, kwargs, ctx)
        return original(*args, **body)

    return call


# --- Whole answers --------------------------------------------------------


def govern_response(governor: Governor, result: Any, context: Mapping[str, Any]) -> List[Decision]:
    """Evaluates every text of a `ChatCompletion` or a `Response` (or an
    object shaped like one, such as LiteLLM's `ModelResponse`), replaces
    each with its redacted text, emits each decision, and raises
    `BlockedByPolicy` when the strongest says to stop."""
    decisions: List[Decision] = []
    for field, get, put in _answer_texts(result):
        text = get()
        decision = governor.evaluate(text, "response", context, field=field)
        decisions.append(decision)
        if decision.redacted_text != text:
            put(decision.redacted_text)
    worst = strongest(decisions)
    if worst is not None:
        stop_if(worst, "response")
    return decisions


def _answer_texts(result: Any) -> Iterator[Tuple[str, Callable[[], str], Callable[[str], None]]]:
    """(field name, getter, setter) of each text in an answer object."""
    for i, choice in enumerate(getattr(result, "choices", None) or []):
        message = getattr(choice, "message", None)
        if message is not None and isinstance(getattr(message, "content", None), str):
            index = getattr(choice, "index", i)
            yield (
                f"choices[{index}].message.content",
                functools.partial(getattr, message, "content"),
                functools.partial(setattr, message, "content"),
            )
    for i, item in enumerate(getattr(result, "output", None) or []):
        if getattr(item, "type", None) != "message":
            continue
        for k, part in enumerate(getattr(item, "content", None) or []):
            if getattr(part, "type", None) == "output_text" and isinstance(getattr(part, "text", None), str):
                yield (
                    f"output[{i}].content[{k}].text",
                    functools.partial(getattr, part, "text"),
                    functools.partial(setattr, part, "text"),
                )


# --- Streamed answers -----------------------------------------------------


class ChatChunks:
    """Redacts a stream of `ChatCompletionChunk`s (or LiteLLM's
    `ModelResponseStream`s): each choice's `delta.content` goes through a
    stream redactor of its own; what the redactor holds back is released
    in the chunk that carries the choice's `finish_reason`, or in a copy
    of the choice's last chunk when the stream ends without one."""

    def __init__(self, governor: Governor, context: Mapping[str, Any]) -> None:
        self.redactors = KeyedRedactors(governor, context)
        self._last: Dict[Any, Any] = {}

    def on_chunk(self, chunk: Any) -> List[Any]:
        for choice in getattr(chunk, "choices", None) or []:
            key = getattr(choice, "index", 0)
            self._last[key] = chunk
            delta = getattr(choice, "delta", None)
            content = getattr(delta, "content", None)
            if isinstance(content, str) and content and delta is not None:
                delta.content = self.redactors.push(key, content)
            if getattr(choice, "finish_reason", None) is not None:
                tail = self.redactors.finish(key, f"choices[{key}].message.content")
                if tail and delta is not None:
                    delta.content = (delta.content or "") + tail
        return [chunk]

    def on_end(self) -> List[Any]:
        out = []
        for key in self.redactors.open_keys():
            tail = self.redactors.finish(key, f"choices[{key}].message.content")
            last = self._last.get(key)
            if not tail or last is None:
                continue
            chunk = last.model_copy(deep=True) if hasattr(last, "model_copy") else last
            chunk.choices = [c for c in chunk.choices if getattr(c, "index", 0) == key]
            for choice in chunk.choices:
                choice.delta.content = tail
                choice.finish_reason = None
            out.append(chunk)
        return out


class ResponseEvents:
    """Redacts a stream of Responses API events: each output text
    (`item_id`, `content_index`) goes through a stream redactor of its own
    (`response.output_text.delta`); the held-back rest is released as one
    more delta event just before that text's `response.output_text.done`,
    and the full texts in the `done`, `content_part.done`,
    `output_item.done` and final `response.*` events are replaced by what
    was shown."""

    _FINAL = frozenset({"response.completed", "response.incomplete", "response.failed"})

    def __init__(self, governor: Governor, context: Mapping[str, Any]) -> None:
        self.governor = governor
        self.context = context
        self.redactors = KeyedRedactors(governor, context)
        self._last_delta: Dict[Any, Any] = {}
        self._final: Dict[Any, str] = {}
        self._fields: Dict[Any, str] = {}

    def on_chunk(self, event: Any) -> List[Any]:
        kind = getattr(event, "type", "")
        out: List[Any] = []
        if kind == "response.output_text.delta":
            key = (event.item_id, event.content_index)
            self._fields.setdefault(key, f"output[{event.output_index}].content[{event.content_index}].text")
            self._last_delta[key] = event
            event.delta = self.redactors.push(key, event.delta)
        elif kind == "response.output_text.done":
            key = (event.item_id, event.content_index)
            self._fields.setdefault(key, f"output[{event.output_index}].content[{event.content_index}].text")
            event.text = self._safe(key, event.text, out)
        elif kind == "response.content_part.done":
            part = event.part
            if getattr(part, "type", None) == "output_text":
                part.text = self._safe((event.item_id, event.content_index), part.text, out)
        elif kind == "response.output_item.done":
            self._item(event.item, out)
        elif kind in self._FINAL:
            for item in getattr(event.response, "output", None) or []:
                self._item(item, out)
        out.append(event)
        return out

    def on_end(self) -> List[Any]:
        out: List[Any] = []
        for key in self.redactors.open_keys():
            self._close(key, out)
        return out

    def _item(self, item: Any, out: List[Any]) -> None:
        if getattr(item, "type", None) != "message":
            return
        for k, part in enumerate(getattr(item, "content", None) or []):
            if getattr(part, "type", None) == "output_text" and isinstance(part.text, str):
                part.text = self._safe((item.id, k), part.text, out)

    def _close(self, key: Any, out: List[Any]) -> None:
        tail = self.redactors.finish(key, self._fields.get(key))
        last = self._last_delta.get(key)
        if tail and last is not None:
            extra = last.model_copy(deep=True)
            extra.delta = tail
            extra.logprobs = []
            out.append(extra)
        self._final[key] = self.redactors.shown(key) or ""

    def _safe(self, key: Any, text: str, out: List[Any]) -> str:
        """The text to show in place of a full output text."""
        if key in self._final:
            return self._final[key]
        if key in self.redactors.open_keys():
            self._close(key, out)
            return self._final[key]
        # A text that never came as deltas: evaluate it whole.
        decision = self.governor.evaluate(text, "response", self.context, field=self._fields.get(key))
        self.redactors.decisions.append(decision)
        self._final[key] = decision.redacted_text
        return decision.redacted_text


class AnyChunks:
    """`ChatChunks` or `ResponseEvents`, chosen by the first chunk (one
    with `choices` is a chat chunk, one with a `response.*` type a
    Responses event): for streams whose kind the caller does not know,
    such as a LiteLLM proxy's `/v1/chat/completions` and `/v1/responses`."""

    def __init__(self, governor: Governor, context: Mapping[str, Any]) -> None:
        self.governor = governor
        self.context = context
        self._chunks: Any = None
        self.redactors = KeyedRedactors(governor, context)

    def on_chunk(self, chunk: Any) -> List[Any]:
        if self._chunks is None:
            kind = getattr(chunk, "type", None)
            if isinstance(kind, str) and kind.startswith("response."):
                self._chunks = ResponseEvents(self.governor, self.context)
            elif getattr(chunk, "choices", None) is not None:
                self._chunks = ChatChunks(self.governor, self.context)
            else:
                return [chunk]
            self.redactors = self._chunks.redactors
        out: List[Any] = self._chunks.on_chunk(chunk)
        return out

    def on_end(self) -> List[Any]:
        return [] if self._chunks is None else list(self._chunks.on_end())


def _chunk_governor(governor: Governor, context: Mapping[str, Any], kind: str) -> Any:
    return ChatChunks(governor, context) if kind == "chat" else ResponseEvents(governor, context)


class GuardedStream:
    """A synchronous OpenAI `Stream` whose chunks are redacted. Iterate it
    as the original; when it ends, `decisions` holds each streamed text's
    decision, and `BlockedByPolicy` is raised if one says to stop (what
    was shown was already redacted). Other attributes (`response`,
    `close()`, use as a context manager) are the original stream's."""

    def __init__(self, stream: Any, chunks: Any) -> None:
        self._stream = stream
        self._chunks = chunks
        self._iter: Optional[Iterator[Any]] = None

    @property
    def decisions(self) -> List[Decision]:
        """The decisions of the texts that ended so far."""
        return list(self._chunks.redactors.decisions)

    def _run(self) -> Iterator[Any]:
        for chunk in self._stream:
            yield from self._chunks.on_chunk(chunk)
        yield from self._chunks.on_end()
        stopped = self._chunks.redactors.stopped()
        if stopped is not None:
            raise BlockedByPolicy(stopped, "response")

    def __iter__(self) -> Iterator[Any]:
        if self._iter is None:
            self._iter = self._run()
        return self._iter

    def __next__(self) -> Any:
        return next(iter(self))

    def __enter__(self) -> "GuardedStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes the underlying HTTP response."""
        self._stream.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class GuardedAsyncStream:
    """An `AsyncStream` whose chunks are redacted; see `GuardedStream`."""

    def __init__(self, stream: Any, chunks: Any) -> None:
        self._stream = stream
        self._chunks = chunks
        self._iter: Optional[AsyncIterator[Any]] = None

    @property
    def decisions(self) -> List[Decision]:
        """The decisions of the texts that ended so far."""
        return list(self._chunks.redactors.decisions)

    async def _run(self) -> AsyncIterator[Any]:
        async for chunk in self._stream:
            for out in self._chunks.on_chunk(chunk):
                yield out
        for out in self._chunks.on_end():
            yield out
        stopped = self._chunks.redactors.stopped()
        if stopped is not None:
            raise BlockedByPolicy(stopped, "response")

    def __aiter__(self) -> AsyncIterator[Any]:
        if self._iter is None:
            self._iter = self._run()
        return self._iter

    async def __anext__(self) -> Any:
        return await self.__aiter__().__anext__()

    async def __aenter__(self) -> "GuardedAsyncStream":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Closes the underlying HTTP response."""
        await self._stream.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
