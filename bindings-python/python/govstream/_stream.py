"""`Policy.stream(chunks)`: a `StreamRedactor` driven by an iterable or an
async iterable of chunks, yielding the text safe to show."""

from typing import Any, AsyncIterator, Iterator, Optional


class Stream:
    """What `Policy.stream(chunks)` returns. Iterate it (or `async for` it,
    when the chunks are an async iterable) for the text safe to show;
    `decision` is the whole reply's `Decision` once the iteration ended.

    >>> import asyncio, govstream
    >>> async def reply():
    ...     for piece in ["card 4111 1111 ", "1111 1111 thanks"]:
    ...         yield piece
    >>> async def show():
    ...     s = govstream.Policy.default().stream(reply())
    ...     return "".join([piece async for piece in s]), s.decision.verdict
    >>> asyncio.run(show())
    ('card [REDACTED:financial.card_visa] thanks', 'redact')
    """

    def __init__(self, redactor: Any, chunks: Any, context: Optional[Any]) -> None:
        self._redactor = redactor
        self._chunks = chunks
        ctx = dict(context or {})
        ctx.setdefault("phase", "response")
        self._context = ctx

    @property
    def decision(self) -> Any:
        """The whole reply's `Decision`, once the iteration has ended."""
        return self._redactor.decision

    @property
    def late_repeats(self) -> int:
        """Non-zero when a value matched late also occurred in text
        already shown (see `StreamRedactor.late_repeats`)."""
        return int(self._redactor.late_repeats)

    def __iter__(self) -> Iterator[str]:
        for chunk in self._chunks:
            safe = self._redactor.push(chunk)
            if safe:
                yield safe
        tail = self._redactor.finish(self._context)
        if tail:
            yield tail

    async def _agen(self) -> AsyncIterator[str]:
        async for chunk in self._chunks:
            safe = self._redactor.push(chunk)
            if safe:
                yield safe
        tail = self._redactor.finish(self._context)
        if tail:
            yield tail

    def __aiter__(self) -> AsyncIterator[str]:
        return self._agen()

    def __repr__(self) -> str:
        return f"<govstream.Stream {self._redactor!r}>"
