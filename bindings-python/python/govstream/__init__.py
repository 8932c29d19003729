"""govstream: govern AI prompts and responses.

Compile a :class:`Policy` once, then evaluate every prompt and response with
it. A :class:`Decision` says what to do (``verdict``), what to send on
(``redacted_text``), what was found (``matches``) and what to log
(``records()``), which a :class:`Pipeline` delivers to its sinks
and :class:`Analytics` turns into dashboard numbers.

>>> import govstream
>>> policy = govstream.Policy.default()
>>> decision = policy.evaluate("my key is AKIAIOSFODNN7EXAMPLE")
>>> decision.verdict
'block'
"""

from ._govstream import (
    Analytics,
    Decision,
    FlushResult,
    GovstreamError,
    InputError,
    IoError,
    Match,
    Pipeline,
    Policy,
    PolicyError,
    RuleError,
    ScanTruncatedWarning,
    Sink,
    StreamRedactor,
    ValidationError,
    __version__,
    audit_event,
    builtin_rules,
    classify,
    parse_keycloak,
    summarize,
)
from ._stream import Stream

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
