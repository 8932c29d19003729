"""What every framework integration shares: evaluating a prompt or a
response with a `Policy`, recording the decision to a `Pipeline`, the
exception that stops a blocked call, and finding the texts in
OpenAI-shaped request and response bodies.

The verdict is the core's; this module only acts on it as
docs/python.md's table says (send the original for `allow`/`warn`, the
redacted text for `redact`, nothing for `escalate`/`block`).
"""

import copy
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from .. import Decision, Pipeline, Policy, StreamRedactor

#: Verdicts on which nothing is sent on: the call is stopped.
STOP_VERDICTS = frozenset({"block", "escalate"})

#: A path to one text inside a JSON-shaped body: keys and list indices.
Path = Tuple[Union[str, int], ...]


class BlockedByPolicy(Exception):
    """A prompt or a response was stopped by the policy (verdict `block` or
    `escalate`). `decision` is the `Decision` that stopped it (its records
    were already emitted to the pipeline, when there is one), `phase` is
    `"prompt"` or `"response"`. The message holds the verdict and reason
    code only, never the text, so it is safe to log."""

    def __init__(self, decision: Decision, phase: str) -> None:
        self.decision = decision
        self.phase = phase
        self.verdict: str = decision.verdict
        self.reason_code: str = decision.reason_code
        super().__init__(f"{phase} stopped by policy: verdict {decision.verdict}, reason {decision.reason_code}")


def describe(decision: Decision, phase: str) -> Dict[str, Any]:
    """What an HTTP error body says about a stopped call: safe to show and
    to log (no text, no matched value)."""
    event_id = None
    for record in decision.records():
        if record.get("record_type") == "event":
            event_id = record.get("event_id")
            break
    out: Dict[str, Any] = {
        "phase": phase,
        "verdict": decision.verdict,
        "reason_code": decision.reason_code,
        "rules": sorted({m.rule_id for m in decision.matches}),
    }
    if event_id is not None:
        out["event_id"] = event_id
    return out


ContextSource = Union[None, Mapping[str, Any], Callable[[Mapping[str, Any]], Optional[Mapping[str, Any]]]]


class Governor:
    """A policy, an optional pipeline and a base evaluation context: the
    state an integration keeps. `evaluate` runs the policy on one text and
    emits the decision's records; `stop_if` raises `BlockedByPolicy`."""

    def __init__(
        self,
        policy: Policy,
        pipeline: Optional[Pipeline] = None,
        context: ContextSource = None,
        integration: str = "",
    ) -> None:
        if not isinstance(policy, Policy):
            raise TypeError(f"policy must be a govstream.Policy, not {type(policy).__name__}")
        if pipeline is not None and not isinstance(pipeline, Pipeline):
            raise TypeError(f"pipeline must be a govstream.Pipeline, not {type(pipeline).__name__}")
        self.policy = policy
        self.pipeline = pipeline
        self._context = context
        self.integration = integration

    def context_for(self, request: Mapping[str, Any], extra: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """The evaluation context of one call: the base context (or what the
        context callable returns for `request`), then `extra` over it."""
        base: Optional[Mapping[str, Any]]
        if callable(self._context):
            base = self._context(request)
        else:
            base = self._context
        ctx: Dict[str, Any] = dict(base or {})
        for key, value in (extra or {}).items():
            if key == "metadata" and isinstance(value, Mapping):
                merged = dict(ctx.get("metadata") or {})
                merged.update(value)
                ctx["metadata"] = merged
            else:
                ctx[key] = value
        return ctx

    def evaluate(self, text: str, phase: str, context: Mapping[str, Any], field: Optional[str] = None) -> Decision:
        """Evaluates one text in `phase` and emits the decision's records.
        `field` (where in the body the text was) goes into the event's
        metadata, with the integration's name."""
        ctx = dict(context)
        ctx["phase"] = phase
        meta = dict(ctx.get("metadata") or {})
        if self.integration:
            meta.setdefault("integration", self.integration)
        if field is not None:
            meta["field"] = field
        if meta:
            ctx["metadata"] = meta
        decision = self.policy.evaluate(text, context=ctx)
        self.record(decision)
        return decision

    def record(self, decision: Optional[Decision]) -> None:
        """Emits a decision's records to the pipeline, when there is one."""
        if decision is not None and self.pipeline is not None:
            self.pipeline.emit(decision)

    def stream_context(self, context: Mapping[str, Any], field: Optional[str] = None) -> Dict[str, Any]:
        """The context a `StreamRedactor.finish` takes for a response."""
        ctx = dict(context)
        ctx["phase"] = "response"
        meta = dict(ctx.get("metadata") or {})
        if self.integration:
            meta.setdefault("integration", self.integration)
        if field is not None:
            meta["field"] = field
        if meta:
            ctx["metadata"] = meta
        return ctx


def stop_if(decision: Decision, phase: str) -> None:
    """Raises `BlockedByPolicy` when the verdict says to send nothing."""
    if decision.verdict in STOP_VERDICTS:
        raise BlockedByPolicy(decision, phase)


def strongest(decisions: Sequence[Decision]) -> Optional[Decision]:
    """The first decision with the strongest verdict (the lattice
    allow < warn < redact < escalate < block), or None for none."""
    order = {"allow": 0, "warn": 1, "redact": 2, "escalate": 3, "block": 4}
    best: Optional[Decision] = None
    for d in decisions:
        if best is None or order[d.verdict] > order[best.verdict]:
            best = d
    return best


# --- Texts in OpenAI-shaped bodies --------------------------------------

_TEXT_PART_TYPES = frozenset({"text", "input_text", "output_text"})


def _content_paths(content: Any, prefix: Path) -> Iterator[Path]:
    if isinstance(content, str):
        yield prefix
    elif isinstance(content, list):
        for i, part in enumerate(content):
            if isinstance(part, str):
                yield prefix + (i,)
            elif (
                isinstance(part, Mapping) and part.get("type") in _TEXT_PART_TYPES and isinstance(part.get("text"), str)
            ):
                yield prefix + (i, "text")


def prompt_paths(body: Mapping[str, Any]) -> List[Path]:
    """Where the prompt texts are in an OpenAI-shaped request body: every
    message's `content` (a string, or its text parts) in
    `/v1/chat/completions` (`messages`), and `instructions` and `input` (a
    string, or items with `content` or a tool's `output`) in
    `/v1/responses`; a legacy completion's `prompt`. Images, audio and
    files are not text and are not scanned."""
    paths: List[Path] = []
    messages = body.get("messages")
    if isinstance(messages, list):
        for i, message in enumerate(messages):
            if isinstance(message, Mapping):
                paths.extend(_content_paths(message.get("content"), ("messages", i, "content")))
    if isinstance(body.get("instructions"), str):
        paths.append(("instructions",))
    items = body.get("input")
    if isinstance(items, str):
        paths.append(("input",))
    elif isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, str):
                paths.append(("input", i))
            elif isinstance(item, Mapping):
                paths.extend(_content_paths(item.get("content"), ("input", i, "content")))
                if isinstance(item.get("output"), str):
                    paths.append(("input", i, "output"))
    prompt = body.get("prompt")
    if isinstance(prompt, str):
        paths.append(("prompt",))
    elif isinstance(prompt, list):
        paths.extend(("prompt", i) for i, p in enumerate(prompt) if isinstance(p, str))
    return paths


def path_name(path: Path) -> str:
    """`messages[1].content[0].text` for ("messages", 1, "content", 0, "text")."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + step
    return out


def get_path(body: Any, path: Path) -> Any:
    """The value at `path` in a JSON-shaped body."""
    for step in path:
        body = body[step]
    return body


def with_texts(body: Mapping[str, Any], texts: Mapping[Path, str]) -> Dict[str, Any]:
    """A copy of `body` with the texts at the given paths replaced; the
    caller's body and its nested lists and dicts are left as they were."""
    out: Dict[str, Any] = dict(body)
    for path, text in texts.items():
        parent: Any = out
        # Copy each container on the way down (a copy of a copy keeps the
        # earlier rewrites), so the caller's objects are never changed.
        for step in path[:-1]:
            child = copy.copy(parent[step])
            parent[step] = child
            parent = child
        parent[path[-1]] = text
    return out


def _plain(body: Mapping[str, Any]) -> Dict[str, Any]:
    """`body` with its message lists as lists of dicts: an SDK accepts any
    iterable of messages, and message objects (a previous answer's
    `message`, appended to the history) as well as dicts; a text inside
    either must not go unscanned."""
    out = dict(body)
    for key in ("messages", "input"):
        items = out.get(key)
        if items is None or isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
            continue
        out[key] = [
            item.model_dump(exclude_none=True)
            if hasattr(item, "model_dump") and not isinstance(item, Mapping)
            else item
            for item in items
        ]
    return out


def govern_prompt(
    governor: Governor,
    body: Mapping[str, Any],
    context: Mapping[str, Any],
    extractor: Callable[[Dict[str, Any]], Sequence[Path]] = prompt_paths,
) -> Tuple[Dict[str, Any], List[Decision]]:
    """Evaluates every prompt text of `body` (where `extractor` says,
    `prompt_paths` by default; a path to a non-text is skipped), emits
    each decision, raises `BlockedByPolicy` with the strongest decision
    when one says to stop, and otherwise returns the body to send on (the
    redacted texts in place of the originals; `body` itself when nothing
    changed) and the decisions."""
    body = _plain(body)
    decisions: List[Decision] = []
    rewrites: Dict[Path, str] = {}
    for path in extractor(body):
        text = get_path(body, path)
        if not isinstance(text, str):
            continue
        decision = governor.evaluate(text, "prompt", context, field=path_name(path))
        decisions.append(decision)
        if decision.redacted_text != text:
            rewrites[path] = decision.redacted_text
    worst = strongest(decisions)
    if worst is not None:
        stop_if(worst, "prompt")
    return (with_texts(body, rewrites) if rewrites else body), decisions


class KeyedRedactors:
    """One `StreamRedactor` per text being streamed (a choice index, a
    response's output item and content part), created on first use."""

    def __init__(self, governor: Governor, context: Mapping[str, Any]) -> None:
        self._governor = governor
        self._context = context
        self._open: Dict[Any, StreamRedactor] = {}
        self._shown: Dict[Any, List[str]] = {}
        self.decisions: List[Decision] = []

    def push(self, key: Any, text: str) -> str:
        """What is safe to show of `text`, the next piece of stream `key`."""
        redactor = self._open.get(key)
        if redactor is None:
            # A key that was finished and starts again is a new text.
            redactor = self._governor.policy.redactor()
            self._open[key] = redactor
            self._shown[key] = []
        safe = redactor.push(text)
        self._shown[key].append(safe)
        return safe

    def finish(self, key: Any, field: Optional[str] = None) -> str:
        """Ends stream `key`: the held-back rest, safe to show; the
        decision is emitted and kept in `decisions`."""
        redactor = self._open.pop(key, None)
        if redactor is None:
            return ""
        tail = redactor.finish(self._governor.stream_context(self._context, field))
        self._shown[key].append(tail)
        decision = redactor.decision
        if decision is not None:
            self._governor.record(decision)
            self.decisions.append(decision)
        return tail

    def shown(self, key: Any) -> Optional[str]:
        """Everything shown of stream `key` so far, or None if never seen."""
        pieces = self._shown.get(key)
        return None if pieces is None else "".join(pieces)

    def open_keys(self) -> List[Any]:
        """The streams not finished yet, in the order they started."""
        return list(self._open)

    def stopped(self) -> Optional[Decision]:
        """The strongest finished decision whose verdict says to stop."""
        worst = strongest(self.decisions)
        return worst if worst is not None and worst.verdict in STOP_VERDICTS else None
