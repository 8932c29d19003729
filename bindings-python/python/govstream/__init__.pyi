# Type stubs of the govstream package (the `_govstream` extension module,
# re-exported). Keep in step with bindings-python/src/.
import os
from typing import Any, Dict, List, Literal, Mapping, Optional, Tuple, Union, final

__all__ = [
    "Decision",
    "GovstreamError",
    "InputError",
    "Match",
    "Policy",
    "PolicyError",
    "RuleError",
    "ValidationError",
    "classify",
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
