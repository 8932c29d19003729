# Type stubs of the govstream package (the `_govstream` extension module,
# re-exported). Keep in step with bindings-python/src/.
import os
from types import TracebackType
from typing import (
    Any,
    Callable,
    Dict,
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
    "Decision",
    "GovstreamError",
    "InputError",
    "Match",
    "Pipeline",
    "Policy",
    "PolicyError",
    "RuleError",
    "Sink",
    "ValidationError",
    "audit_event",
    "classify",
    "parse_keycloak",
    "summarize",
]

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

class InputError(GovstreamError):
    """Input that could not be read at all; `location` says where."""

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
    """The outcome of `Policy.evaluate`."""

    @property
    def verdict(self) -> _Verdict: ...
    @property
    def event_type(self) -> _EventType: ...
    @property
    def reason_code(self) -> str: ...
    @property
    def redacted_text(self) -> str: ...
    @property
    def scan_truncated(self) -> bool: ...
    @property
    def matches(self) -> List[Match]: ...
    def records(self) -> List[Dict[str, Any]]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...

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
        phase: _Phase = "prompt",
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

def classify(url: str, policy: Optional[Policy] = None) -> Dict[str, Optional[str]]:
    """Is this URL or host an AI tool? Keys: input, host, status, tool,
    vendor, category, severity."""

@final
class Sink:
    """Where a pipeline delivers: `Sink.jsonl`, `Sink.http`, `Sink.memory` or `Sink.callback`."""

    @staticmethod
    def jsonl(
        name: str,
        path: Union[str, "os.PathLike[str]"],
        *,
        max_bytes: int = ...,
        keep: int = 5,
        max_attempts: int = 12,
    ) -> Sink: ...
    @staticmethod
    def http(name: str, url: str, *, max_attempts: int = 12) -> Sink: ...
    @staticmethod
    def memory(name: str, *, capacity: int = 1000) -> Sink: ...
    @staticmethod
    def callback(name: str, fn: Callable[[bytes], object], *, max_attempts: int = 12) -> Sink: ...
    @property
    def name(self) -> str: ...

@final
class Pipeline:
    """Delivers records to sinks on a background thread; a context manager
    that flushes and closes on exit."""

    def __new__(cls, sinks: Sequence[Sink]) -> Pipeline: ...
    def emit(self, record: Union[Decision, Mapping[str, Any]]) -> None: ...
    def flush(self, timeout: float = 5.0) -> bool: ...
    def close(self, timeout: float = 5.0) -> bool: ...
    def stats(self) -> List[Dict[str, Any]]: ...
    def memory_records(self, name: str) -> List[Dict[str, Any]]: ...
    def __enter__(self) -> Pipeline: ...
    def __exit__(
        self,
        _exc_type: Optional[Type[BaseException]] = None,
        _exc: Optional[BaseException] = None,
        _traceback: Optional[TracebackType] = None,
    ) -> bool: ...

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

def parse_keycloak(text: str) -> Dict[str, Any]:
    """Keycloak log -> {"events", "problems", "skipped_lines"}."""
