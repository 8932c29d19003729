"""The integrations need no framework to import, and name the extra to
install when a framework is missing (runs with or without them)."""

import importlib
import sys

import pytest

import govstream
import govstream.integrations
import govstream.integrations.asgi


def test_the_package_imports_without_frameworks() -> None:
    assert govstream.integrations.BlockedByPolicy.__name__ == "BlockedByPolicy"
    assert govstream.integrations.prompt_paths({"messages": [{"role": "user", "content": "hi"}]}) == [
        ("messages", 0, "content")
    ]
    # The middleware is plain ASGI: no framework import at all.
    assert "starlette" not in govstream.integrations.asgi.__dict__


def test_missing_openai_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from govstream.integrations.openai import guard

    monkeypatch.setitem(sys.modules, "openai", None)
    with pytest.raises(ImportError, match=r"pip install 'govstream\[openai\]'"):
        guard(object(), govstream.Policy.default())


def test_missing_litellm_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "litellm", None)
    monkeypatch.setitem(sys.modules, "litellm.integrations.custom_guardrail", None)
    monkeypatch.delitem(sys.modules, "govstream.integrations.litellm", raising=False)
    with pytest.raises(ImportError, match=r"pip install 'govstream\[litellm\]'"):
        importlib.import_module("govstream.integrations.litellm")
