"""Every Python block of docs/integrations.md runs, in order and in one
namespace, against a stand-in OpenAI-compatible server on loopback (the
blocks' `openai.OpenAI()` finds it through OPENAI_BASE_URL), and prints
what the page says it prints."""

import contextlib
import io
import os
import re
import sys
from pathlib import Path
from typing import Any, Dict

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "python"))

if not os.environ.get("GOVSTREAM_REQUIRE_INTEGRATIONS"):
    for module in ("openai", "litellm", "fastapi"):
        pytest.importorskip(module)

from openai_standin import StandIn  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Items? .* (is|are) using the `ReadOnly` qualifier")


def test_every_python_block_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    page = (ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.S)
    assert len(blocks) >= 5
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    out = io.StringIO()
    namespace: Dict[str, Any] = {"__name__": "docs_integrations"}
    with StandIn() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        for i, block in enumerate(blocks):
            if "stream=True" in block and "chat.completions" in block:
                server.reply = "Set AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE first."
            elif "responses.create" in block and "async" in block:
                server.reply = "Your card 4111 1111 1111 1111 is on file."
            else:
                server.reply = lambda body: (
                    f"You said: {body['messages'][-1]['content']}" if "messages" in body else "ok"
                )
            with contextlib.redirect_stdout(out):
                exec(compile(block, f"docs/integrations.md block {i + 1}", "exec"), namespace)
    printed = out.getvalue()
    for expected in [
        "You said: Draft a note to [REDACTED:pii.email]",
        "prompt block dlp:secrets.aws_access_key_id",
        "Set AWS_ACCESS_KEY_ID=[REDACTED:secrets.aws_access_key_id] first.",
        "Your card [REDACTED:financial.card_visa] is on file.",
        "You said: Email [REDACTED:pii.email]",
        "400 dlp:secrets.aws_access_key_id",
        "Noted: to [REDACTED:pii.email]",
        "{'question': 'is [REDACTED:pii.email] right?'}",
    ]:
        assert expected in printed, expected
    assert "AKIAIOSFODNN7EXAMPLE" not in printed
