# Type stubs of the govstream package (the `_govstream` extension module,
# re-exported). Keep in step with bindings-python/src/.
import os
from types import TracebackType
from typing import (
    Any,
    AsyncIterable,
    AsyncIterator,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Type,
    Union,
    final,
)

__all__ = [
    "Analytics",
    "Decision",
    "FlushResult",
    "GovstreamError",
    "InputError",
    "IoError",
    "Match",
    "Pipeline",
    "Policy",
    "PolicyError",
    "RuleError",
    "ScanTruncatedWarning",
    "Sink",
    "Stream",
    "StreamRedactor",
    "ValidationError",
    "audit_event",
    "builtin_rules",
    "classify",
    "parse_keycloak",
    "summarize",
]

__version__: str

_Verdict = Literal["allow", "warn", "redact", "escalate", "block"]
_EventType = Literal["request", "warned", "redacted", "escalated", "blocked"]
_Phase = Literal["prompt", "response"]
_Severity = Literal["low", "medium", "high", "critical"]

class GovstreamError(Exception):
    """Base class of every error govstream raises; `kind` names the kind."""

    kind: Literal["policy", "rule", "validation", "input"]
    problems: List[Tuple[str, str]]

class PolicyError(GovstreamError):
    """A policy document failed to compile; `problems` lists every (json_path, message)."""

class RuleError(GovstreamError):
    """A DLP rule failed to compile; `rule_id` names it."""

    rule_id: str

class ValidationError(GovstreamError):
    """A record or payload failed validation; `what` and `problems` say how."""

    what: str

class ScanTruncatedWarning(UserWarning):
    """A text was longer than the policy's scan limit: `scan` covered its
    prefix only, `redact` replaced the rest with `[UNSCANNED:<n> bytes]`."""

class InputError(GovstreamError):
    """Input that could not be read at all; `location` says where."""

    location: str

class IoError(GovstreamError):
    """The system refused an operation on readable input (a full disk, an
    unwritable file, an outbox another process holds); `location` says what
    was being done. Retrying later may succeed."""

    location: str

@final
class Match:
    """One finding. `start`/`end` are code points: `text[m.start:m.end]` is
    the matched value; `byte_*` are UTF-8 bytes, `utf16_*` UTF-16 units."""

    @property
    def rule_id(self) -> str: ...
    @property
    def rule_name(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def severity(self) -> _Severity: ...
    @property
    def confidence(self) -> float: ...
    @property
    def action(self) -> _Verdict: ...
    @property
    def monitor(self) -> bool: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def byte_start(self) -> int: ...
    @property
    def byte_end(self) -> int: ...
    @property
    def utf16_start(self) -> int: ...
    @property
    def utf16_end(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class Decision:
    """The outcome of `Policy.evaluate`.

    `redacted_text` is the text to forward, NOT for logs: it keeps allow- and
    warn-level values as written. `records()`, `to_dict()` and `to_json()`
    leave it out and are safe to log.
    """

    @property
    def verdict(self) -> _Verdict: ...
    @property
    def event_type(self) -> _EventType: ...
    @property
    def reason_code(self) -> str: ...
    @property
    def would_verdict(self) -> Optional[_Verdict]: ...
    @property
    def would_reason_code(self) -> Optional[str]: ...
    @property
    def redacted_text(self) -> str:
        """The text to forward, NOT for logs (allow/warn values stay raw)."""
    @property
    def scan_truncated(self) -> bool: ...
    @property
    def omitted_matches(self) -> int:
        """Matches past `limits.max_matches`: counted, redacted, not listed."""
    @property
    def matches(self) -> List[Match]: ...
    def records(self) -> List[Dict[str, Any]]:
        """The Event and DlpMatch records, as dicts: safe to log."""
    def to_dict(self) -> Dict[str, Any]:
        """Everything but the text to forward, as a dict: safe to log."""
    def to_json(self) -> str:
        """`to_dict()` as compact JSON: safe to log."""

@final
class Policy:
    """A compiled policy: immutable, and safe to share between threads."""

    @staticmethod
    def from_json(json: str) -> Policy: ...
    @staticmethod
    def from_dict(document: Mapping[str, Any]) -> Policy: ...
    @staticmethod
    def from_file(path: Union[str, "os.PathLike[str]"]) -> Policy: ...
    @staticmethod
    def default() -> Policy: ...
    def evaluate(
        self,
        text: str,
        *,
        phase: Optional[_Phase] = None,
        context: Optional[Mapping[str, Any]] = None,
        org_id: Optional[str] = None,
        user_id: Optional[str] = None,
        user_email: Optional[str] = None,
        tool: Optional[str] = None,
        hostname: Optional[str] = None,
        model: Optional[str] = None,
        provider: Optional[str] = None,
        request_id: Optional[str] = None,
        session_id: Optional[str] = None,
        conversation_id: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> Decision: ...
    def scan(self, text: str) -> List[Match]: ...
    def redact(self, text: str) -> str: ...
    def rules(self) -> List[Dict[str, Any]]: ...
    def compare(
        self,
        corpus: Sequence[Mapping[str, Any]],
        *,
        baseline: Optional[Policy] = None,
        max_flips: Optional[int] = None,
        max_flip_rate: Optional[float] = None,
        max_block_rate: Optional[float] = None,
        top: Optional[int] = None,
        list_flips: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Tests this policy on a corpus (dicts with `text`, `id`?, context
        fields) against an optional baseline: verdict counts, changes,
        flipped inputs, thresholds checked and `passed`."""
    def redactor(self) -> StreamRedactor: ...
    def stream(
        self,
        chunks: Union[Iterable[Union[str, bytes]], AsyncIterable[Union[str, bytes]]],
        *,
        context: Optional[Mapping[str, Any]] = None,
    ) -> Stream: ...
    def shadow_report(
        self, report: Union[str, Mapping[str, Any]], *, now_ms: Optional[int] = None
    ) -> Dict[str, Any]: ...

def builtin_rules() -> List[Dict[str, Any]]:
    """Every built-in rule's definition (id, pattern, keywords, validator, …)."""

def classify(url: str, policy: Optional[Policy] = None) -> Dict[str, Optional[str]]:
    """Is this URL or host an AI tool? Keys: input, host, status, tool,
    vendor, category, severity."""

_SinkKind = Literal[
    "jsonl",
    "memory",
    "callback",
    "http",
    "webhook",
    "splunk_hec",
    "elasticsearch",
    "azure_logs",
    "otlp",
    "syslog",
    "cef",
    "ocsf",
]

@final
class Sink:
    """Where a pipeline delivers, and in what format: JSON Lines files,
    memory, callables, and the SIEM targets."""

    @staticmethod
    def jsonl(
        name: str,
        path: Union[str, "os.PathLike[str]"],
        *,
        max_bytes: Optional[int] = None,
        keep: Optional[int] = None,
        max_attempts: Optional[int] = None,
        event_types: Optional[Sequence[str]] = None,
    ) -> Sink: ...
    @staticmethod
    def http(
        name: str,
        url: str,
        *,
        max_attempts: Optional[int] = None,
        event_types: Optional[Sequence[str]] = None,
    ) -> Sink: ...
    @staticmethod
    def memory(
        name: str, *, capacity: Optional[int] = None, event_types: Optional[Sequence[str]] = None
    ) -> Sink: ...
    @staticmethod
    def callback(
        name: str,
        fn: Callable[[bytes], object],
        *,
        max_attempts: Optional[int] = None,
        event_types: Optional[Sequence[str]] = None,
    ) -> Sink: ...
    @staticmethod
    def webhook(
        name: str,
        url: str,
        secret: Union[str, Sequence[str]],
        *,
        event_type: Optional[str] = None,
        max_attempts: Optional[int] = None,
        event_types: Optional[Sequence[str]] = None,
    ) -> Sink: ...
    @staticmethod
    def splunk_hec(
        name: str,
        url: str,
        token: str,
        *,
        index: Optional[str] = None,
        source: Optional[str] = None,
        sourcetype: Optional[str] = None,
        host: Optional[str] = None,
        max_attempts: Optional[int] = None,
        event_types: Optional[Sequence[str]] = None,
    ) -> Sink: ...
    @staticmethod
    def elasticsearch(
        name: str,
        url: str,
        index: str,
        *,
        api_key: Optional[str] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        findings_index: Optional[str] = None,
        max_attempts: Optional[int] = None,
        event_types: Optional[Sequence[str]] = None,
    ) -> Sink: ...
    @staticmethod
    def azure_logs(
        name: str,
        url: str,
        bearer_token: str,
        *,
        max_attempts: Optional[int] = None,
        event_types: Optional[Sequence[str]] = None,
    ) -> Sink: ...
    @staticmethod
    def otlp(
        name: str,
        url: str,
        *,
        service_name: Optional[str] = None,
        resource_attributes: Optional[Mapping[str, str]] = None,
        headers: Optional[Mapping[str, str]] = None,
        token: Optional[str] = None,
        max_attempts: Optional[int] = None,
        event_types: Optional[Sequence[str]] = None,
    ) -> Sink: ...
    @staticmethod
    def syslog(
        name: str,
        address: str,
        *,
        message: Optional[Literal["json", "cef"]] = None,
        framing: Optional[Literal["octet_counting", "newline"]] = None,
        facility: Optional[int] = None,
        hostname: Optional[str] = None,
        app_name: Optional[str] = None,
        max_attempts: Optional[int] = None,
        event_types: Optional[Sequence[str]] = None,
    ) -> Sink: ...
    @staticmethod
    def cef(
        name: str,
        address: str,
        *,
        max_attempts: Optional[int] = None,
        event_types: Optional[Sequence[str]] = None,
    ) -> Sink: ...
    @staticmethod
    def ocsf(
        name: str,
        url: str,
        *,
        framing: Optional[Literal["json_lines", "json_array"]] = None,
        authorization: Optional[str] = None,
        max_attempts: Optional[int] = None,
        event_types: Optional[Sequence[str]] = None,
    ) -> Sink: ...
    @staticmethod
    def from_spec(
        spec: Mapping[str, Any], *, fn: Optional[Callable[[bytes], object]] = None
    ) -> Sink: ...
    def with_options(
        self,
        *,
        queue_capacity: Optional[int] = None,
        overflow: Optional[Literal["drop_newest", "block"]] = None,
        max_batch_records: Optional[int] = None,
        max_batch_bytes: Optional[int] = None,
        max_wait: Optional[float] = None,
        max_in_flight: Optional[int] = None,
        initial_backoff: Optional[float] = None,
        max_backoff: Optional[float] = None,
        max_attempts: Optional[int] = None,
        dead_letter_capacity: Optional[int] = None,
        kinds: Optional[Sequence[str]] = None,
        event_types: Optional[Sequence[str]] = None,
    ) -> Sink: ...
    def set_bearer_token(self, token: str) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> _SinkKind: ...

@final
class StreamRedactor:
    """Redacts a text that arrives in chunks: `push` returns what is safe
    to show, `finish` the rest; together they equal `Policy.redact`."""

    def push(self, chunk: Union[str, bytes]) -> str: ...
    def finish(self, context: Optional[Mapping[str, Any]] = None) -> str: ...
    @property
    def decision(self) -> Optional[Decision]: ...
    @property
    def held_back(self) -> int: ...
    @property
    def holdback(self) -> int: ...
    @property
    def late_repeats(self) -> int: ...

class Stream:
    """`Policy.stream(chunks)`: iterate (or `async for`) for the text safe
    to show; `decision` once the iteration has ended."""

    def __init__(
        self,
        redactor: StreamRedactor,
        chunks: Union[Iterable[Union[str, bytes]], AsyncIterable[Union[str, bytes]]],
        context: Optional[Mapping[str, Any]],
    ) -> None: ...
    @property
    def decision(self) -> Optional[Decision]: ...
    @property
    def late_repeats(self) -> int: ...
    def __iter__(self) -> Iterator[str]: ...
    def __aiter__(self) -> AsyncIterator[str]: ...

@final
class FlushResult:
    """What a `flush` or `close` achieved: true only when everything that
    was pending was delivered."""

    @property
    def complete(self) -> bool: ...
    @property
    def delivered(self) -> int: ...
    @property
    def dead_lettered(self) -> int: ...
    @property
    def dropped(self) -> int: ...
    @property
    def pending(self) -> int: ...
    def __bool__(self) -> bool: ...

@final
class Pipeline:
    """Delivers records to sinks on a background thread; a context manager
    that flushes and closes on exit."""

    def __new__(
        cls,
        sinks: Sequence[Sink],
        *,
        outbox: Union[str, "os.PathLike[str]", None] = None,
        outbox_errors: Optional[Literal["raise", "count"]] = None,
        http_timeout: float = 30.0,
    ) -> Pipeline: ...
    @staticmethod
    def from_spec(
        spec: Mapping[str, Any],
        *,
        callbacks: Optional[Dict[str, Callable[[bytes], object]]] = None,
    ) -> Pipeline: ...
    def emit(self, record: Union[Decision, Mapping[str, Any]], *, timeout: float = 0.0) -> None: ...
    def flush(self, timeout: float = 5.0) -> FlushResult: ...
    def close(self, timeout: float = 5.0) -> FlushResult: ...
    def stats(self) -> List[Dict[str, Any]]: ...
    def dead_letters(self, sink: str) -> List[Dict[str, Any]]: ...
    def memory_records(self, name: str) -> List[Dict[str, Any]]: ...
    def __enter__(self) -> Pipeline: ...
    def __exit__(
        self,
        _exc_type: Optional[Type[BaseException]] = None,
        _exc: Optional[BaseException] = None,
        _traceback: Optional[TracebackType] = None,
    ) -> bool: ...

@final
class Analytics:
    """Dashboard numbers aggregated as records arrive; `summary()` at any time."""

    def __new__(
        cls,
        now_ms: Optional[int] = None,
        *,
        scan_cap: Optional[int] = 5000,
        top_patterns: int = 20,
    ) -> Analytics: ...
    def add(self, record: Union[Decision, Mapping[str, Any]]) -> None: ...
    def extend(self, records: Iterable[Union[Decision, Mapping[str, Any]]]) -> None: ...
    def summary(self) -> Dict[str, Any]: ...
    def report_html(self, title: str = "govstream analytics") -> str: ...

def summarize(
    records: Sequence[Union[Decision, Mapping[str, Any]]],
    now_ms: Optional[int] = None,
    *,
    scan_cap: Optional[int] = 5000,
    top_patterns: int = 20,
) -> Dict[str, Any]:
    """Dashboard numbers over records (dicts or Decisions)."""

def audit_event(
    event_type: str,
    *,
    request_id: str,
    user_id: Optional[str] = None,
    user_email: Optional[str] = None,
    org_id: Optional[str] = None,
    date_time: Optional[str] = None,
    metadata: Optional[Mapping[str, Any]] = None,
) -> Dict[str, Any]:
    """An audit record dict; raises ValidationError listing every problem."""

def parse_keycloak(
    text: str, *, utc_offset: Optional[str] = None, org_id: Optional[str] = None
) -> Dict[str, Any]:
    """Keycloak log -> {"events", "problems", "skipped_lines"}."""
