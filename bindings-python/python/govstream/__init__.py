"""govstream: govern AI prompts and responses.

Compile a :class:`Policy` once, then evaluate every prompt and response with
it. A :class:`Decision` says what to do (``verdict``), what to send on
(``redacted_text``), what was found (``matches``) and what to log
(``records()``), which a :class:`Pipeline` delivers to its :class:`Sink`\ s
and :func:`summarize` turns into dashboard numbers.

>>> import govstream
>>> policy = govstream.Policy.default()
>>> decision = policy.evaluate("my key is AKIAIOSFODNN7EXAMPLE")
>>> decision.verdict
'block'
"""

from ._govstream import (
    Decision,
    GovstreamError,
    InputError,
    Match,
    Pipeline,
    Policy,
    PolicyError,
    RuleError,
    Sink,
    ValidationError,
    audit_event,
    classify,
    parse_keycloak,
    summarize,
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
