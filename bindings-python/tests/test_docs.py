"""Every ```python block in README.md and docs/*.md runs against the
installed package, so a documented example cannot rot.

The blocks of one file run in order in one namespace, as a reader follows a
page: a later block may use what an earlier one defined. Each file runs in
its own temporary working directory, which holds a copy of the sample files
of ``examples/data/`` (``keycloak.log``, ``prompts.jsonl``, …) so a block can
open them by name as a reader would. A block that must not run (it needs a
service the test machine does not have) is preceded by the line
``<!-- not run: <reason> -->``; the reason is required.

A page whose blocks need a service is run by its own runner instead, listed
in ``OWN_RUNNER`` with it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[^\s`]*)[^\n]*$")
NOT_RUN = re.compile(r"<!--\s*not run:\s*(?P<reason>\S.*?)\s*-->")


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def python_blocks(path: Path) -> list[tuple[int, str, str | None]]:
    """The ``python`` blocks of ``path`` as (first line, code, reason not run)."""
    blocks: list[tuple[int, str, str | None]] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, lang, start = m.group("indent"), m.group("lang"), i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            line = lines[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        i += 1
        if lang != "python":
            continue
        before = next((lines[j] for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        skip = NOT_RUN.search(before)
        blocks.append((start + 2, "\n".join(body) + "\n", skip.group("reason") if skip else None))
    return blocks


# Pages run by a dedicated runner, which provides what their blocks need.
OWN_RUNNER = {
    "integrations.md": "test_integrations_docs.py (against the stand-in OpenAI server)",
}

FILES = [p for p in markdown_files() if python_blocks(p) and p.name not in OWN_RUNNER]


def test_pages_with_their_own_runner_have_one() -> None:
    here = Path(__file__).parent
    for page, runner in OWN_RUNNER.items():
        assert (ROOT / "docs" / page).exists(), page
        assert (here / runner.split()[0]).exists(), runner


def test_the_runner_finds_the_documented_examples() -> None:
    names = {p.name for p in FILES}
    assert {"README.md", "python.md"} <= names, names


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_python_block_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for sample in (ROOT / "examples" / "data").iterdir():
        if sample.is_file():
            shutil.copy(sample, tmp_path / sample.name)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for line, code, reason in python_blocks(path):
        if reason is not None:
            continue
        where = f"{path.relative_to(ROOT)}:{line}"
        try:
            exec(compile(code, where, "exec"), namespace)  # noqa: S102 - our own docs
        except Exception as e:  # noqa: BLE001 - report any failure with its place
            pytest.fail(f"{where}: {type(e).__name__}: {e}")
