"""The examples in the docstrings run and say what they show."""

import doctest
from typing import Iterator, Tuple

import govstream
import pytest


def documented() -> Iterator[Tuple[str, str]]:
    yield "govstream", govstream.__doc__ or ""
    for name in govstream.__all__:
        obj = getattr(govstream, name)
        yield name, obj.__doc__ or ""
        # getattr, not vars(): vars() holds the `staticmethod` wrapper,
        # whose __doc__ is staticmethod's own.
        for attr in vars(obj) if isinstance(obj, type) else []:
            if not attr.startswith("_"):
                yield f"{name}.{attr}", getattr(getattr(obj, attr), "__doc__", None) or ""


EXAMPLES = [(name, doc) for name, doc in documented() if ">>>" in doc]


def test_every_public_class_and_function_has_a_docstring() -> None:
    for name in govstream.__all__:
        assert getattr(govstream, name).__doc__, name
    for cls in (govstream.Policy, govstream.Decision, govstream.Sink, govstream.Pipeline):
        for attr in vars(cls):
            if not attr.startswith("_"):
                assert getattr(getattr(cls, attr), "__doc__", None), f"{cls.__name__}.{attr}"


def test_the_main_entry_points_have_examples() -> None:
    names = {name for name, _ in EXAMPLES}
    for expected in (
        "govstream", "Policy", "Policy.evaluate", "Policy.scan", "Policy.redact", "classify",
        "Decision", "Pipeline", "Sink.jsonl", "Sink.memory", "Sink.callback", "summarize",
        "audit_event", "parse_keycloak",
    ):
        assert expected in names


@pytest.mark.parametrize("name,doc", EXAMPLES, ids=[n for n, _ in EXAMPLES])
def test_docstring_example(name: str, doc: str) -> None:
    globs = {"govstream": govstream, "policy": govstream.Policy.default()}
    test = doctest.DocTestParser().get_doctest(doc, globs, name, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0, name
