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
    classes = (govstream.Policy, govstream.Decision, govstream.Sink, govstream.Pipeline, govstream.Analytics,
               govstream.FlushResult)
    for cls in classes:
        for attr in vars(cls):
            if not attr.startswith("_"):
                assert getattr(getattr(cls, attr), "__doc__", None), f"{cls.__name__}.{attr}"


def test_every_class_function_and_sink_has_an_example() -> None:
    names = {name for name, _ in EXAMPLES}
    errors = {n for n in govstream.__all__ if isinstance(getattr(govstream, n), type)
              and issubclass(getattr(govstream, n), Exception)}
    expected = {"govstream", "Policy.evaluate", "Policy.scan", "Policy.redact", "Sink.with_options"}
    expected |= set(govstream.__all__) - errors
    sink_constructors = [a for a in vars(govstream.Sink) if not a.startswith("_")
                         and isinstance(vars(govstream.Sink)[a], staticmethod) and a != "from_spec"]
    assert len(sink_constructors) == 12
    expected |= {"Sink.from_spec", "Pipeline.from_spec"}
    expected |= {f"Sink.{a}" for a in sink_constructors}
    assert sorted(expected - names) == []


@pytest.mark.parametrize("name,doc", EXAMPLES, ids=[n for n, _ in EXAMPLES])
def test_docstring_example(name: str, doc: str) -> None:
    globs = {"govstream": govstream, "policy": govstream.Policy.default()}
    test = doctest.DocTestParser().get_doctest(doc, globs, name, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0, name
