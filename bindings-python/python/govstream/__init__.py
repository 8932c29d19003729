"""govstream: govern AI prompts and responses.

Compile a :class:`Policy` once, then evaluate every prompt and response with
it. A :class:`Decision` says what to do (``verdict``), what to send on
(``redacted_text``), what was found (``matches``) and what to log
(``records()``).

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
    Policy,
    PolicyError,
    RuleError,
    ValidationError,
    classify,
)

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
