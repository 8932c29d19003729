"""Scores each tool's findings against the corpus ground truth and renders the
markdown tables.

A finding is one (class or unmapped label, start, end) triple: the same span
reported by two rules of one class counts once, for every tool alike. Against
the planted spans of its class a finding is a true positive when it overlaps one;
otherwise, when it overlaps a planted value of another class it is counted as
found but neither true nor false (a mislabel), and else it is a false positive.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Sequence, Set, Tuple

from corpus import CLASSES, Prompt, Span
from tools import Finding


@dataclass
class ClassScore:
    found: int = 0
    tp: int = 0
    fp: int = 0
    fp_on_decoy: int = 0
    planted_found: int = 0


@dataclass
class ToolScore:
    classes: Dict[str, ClassScore] = field(
        default_factory=lambda: {c: ClassScore() for c in CLASSES})
    covered: Set[str] = field(default_factory=set)
    decoys_hit: Counter[str] = field(default_factory=Counter)
    unmapped: Counter[str] = field(default_factory=Counter)
    unmapped_on: Counter[str] = field(default_factory=Counter)


def _overlaps(a_start: int, a_end: int, span: Span) -> bool:
    return a_start < span.end and span.start < a_end


def _dedup(findings: Iterable[Finding]) -> List[Finding]:
    seen: Dict[Tuple[str, int, int], Finding] = {}
    for f in findings:
        seen.setdefault((f.cls or f.label, f.start, f.end), f)
    return list(seen.values())


def _score_prompt(score: ToolScore, prompt: Prompt, findings: List[Finding]) -> None:
    planted = [s for s in prompt.spans if not s.decoy]
    decoys = [s for s in prompt.spans if s.decoy]
    for f in findings:
        on_planted = [s for s in planted if _overlaps(f.start, f.end, s)]
        on_decoy = any(_overlaps(f.start, f.end, s) for s in decoys)
        if not f.cls:
            score.unmapped[f.label] += 1
            place = "planted" if on_planted else "decoy" if on_decoy else "elsewhere"
            score.unmapped_on[place] += 1
            continue
        cs = score.classes[f.cls]
        cs.found += 1
        if any(s.kind == f.cls for s in on_planted):
            cs.tp += 1
        elif not on_planted:
            cs.fp += 1
            cs.fp_on_decoy += on_decoy
    for s in planted:
        if any(f.cls == s.kind and _overlaps(f.start, f.end, s) for f in findings):
            score.classes[s.kind].planted_found += 1
    for s in decoys:
        if any(_overlaps(f.start, f.end, s) for f in findings):
            score.decoys_hit[s.kind] += 1


def score_tool(prompts: Sequence[Prompt], findings: Sequence[List[Finding]],
               covered: Set[str]) -> ToolScore:
    """`covered`: the classes the tool has any label for (others print as —)."""
    score = ToolScore(covered=covered)
    for prompt, found in zip(prompts, findings):
        _score_prompt(score, prompt, _dedup(found))
    return score


def planted_counts(prompts: Sequence[Prompt]) -> Tuple[Counter[str], Counter[str]]:
    """(planted values per class, decoys per kind)."""
    planted: Counter[str] = Counter()
    decoys: Counter[str] = Counter()
    for p in prompts:
        for s in p.spans:
            (decoys if s.decoy else planted)[s.kind] += 1
    return planted, decoys


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def findings_table(scores: Dict[str, ToolScore], planted: Counter[str]) -> str:
    def cell(ts: ToolScore, cls: str) -> str:
        c = ts.classes[cls]
        return f"{c.found} / {c.tp} / {c.fp}" if cls in ts.covered else "—"

    rows = [[f"`{cls}`", planted[cls], *(cell(ts, cls) for ts in scores.values())]
            for cls in CLASSES]
    return _table(["class", "planted", *scores], rows)


def recall_table(scores: Dict[str, ToolScore], planted: Counter[str]) -> str:
    def cell(ts: ToolScore, cls: str) -> str:
        if cls not in ts.covered:
            return "—"
        return f"{100 * ts.classes[cls].planted_found / max(planted[cls], 1):.1f}%"

    rows = [[f"`{cls}`", planted[cls], *(cell(ts, cls) for ts in scores.values())]
            for cls in CLASSES]
    totals = [sum(ts.classes[c].planted_found for c in CLASSES) for ts in scores.values()]
    all_planted = sum(planted.values())
    rows.append(["**all**", all_planted, *(f"{100 * t / all_planted:.1f}%" for t in totals)])
    return _table(["class", "planted", *scores], rows)


def decoy_table(scores: Dict[str, ToolScore], decoys: Counter[str]) -> str:
    rows = [[f"`{kind}`", decoys[kind], *(ts.decoys_hit[kind] for ts in scores.values())]
            for kind in sorted(decoys)]
    rows.append(["**all**", sum(decoys.values()),
                 *(sum(ts.decoys_hit.values()) for ts in scores.values())])
    return _table(["decoy", "planted", *scores], rows)


def unmapped_table(scores: Dict[str, ToolScore]) -> str:
    rows = []
    for name, ts in scores.items():
        top = ", ".join(f"{label} {n}" for label, n in ts.unmapped.most_common(4)) or "—"
        rows.append([name, sum(ts.unmapped.values()), ts.unmapped_on["planted"],
                     ts.unmapped_on["decoy"], ts.unmapped_on["elsewhere"], top])
    return _table(["tool", "findings", "on a planted value", "on a decoy", "elsewhere",
                   "most frequent labels"], rows)


def as_json(ts: ToolScore) -> Dict[str, object]:
    return {
        "classes": {c: vars(s) for c, s in ts.classes.items() if c in ts.covered},
        "decoys_hit": dict(ts.decoys_hit),
        "unmapped_labels": dict(ts.unmapped),
        "unmapped_on": dict(ts.unmapped_on),
    }
