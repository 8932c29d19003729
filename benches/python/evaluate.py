#!/usr/bin/env python3
"""How much the Python binding adds to `evaluate`.

Times `Policy.evaluate` of the criterion benchmark's own 1 KB prompts (the
same bytes, printed by the `bench-text` binary) from Python, and compares the
median with the Rust median of `evaluate/<input>_1KB_to_event_json` from the
same run of this script. The issue's budget: Python within 1.5 x Rust + 2 us.

    python benches/python/evaluate.py            # runs the Rust bench too
    python benches/python/evaluate.py --quick    # one short pass, no judging

Needs the `govstream` package installed (`pip install ./bindings-python`)
and cargo. Prints a markdown table; `--json PATH` writes the figures,
`--check` exits 1 when a median is over budget.
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import timeit
from typing import Callable, Dict, List, Optional

import govstream

ROOT = pathlib.Path(__file__).resolve().parents[2]
INPUTS = ["prose", "dense"]


def bench_text(kind: str, size: int) -> str:
    """The criterion benchmark's input, byte for byte (any build profile
    prints the same bytes, so the quicker debug one)."""
    cmd = ["cargo", "run", "-q", "-p", "govstream-benches", "--bin", "bench-text"]
    out = subprocess.run([*cmd, "--", kind, str(size)], cwd=ROOT, check=True, capture_output=True)
    return out.stdout.decode("utf-8")


def rust_median_ns(kind: str) -> float:
    """Runs the Rust benchmark and reads criterion's median estimate."""
    bench_id = f"evaluate/{kind}_1KB_to_event_json"
    cmd = ["cargo", "bench", "-q", "-p", "govstream-benches", "--bench", "scan", "--", f"^{bench_id}$"]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if run.returncode != 0:
        sys.stderr.write(run.stderr)
        raise SystemExit(f"`{' '.join(cmd)}` failed with exit code {run.returncode}")
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    estimates = target / "criterion" / bench_id / "new" / "estimates.json"
    return float(json.loads(estimates.read_text())["median"]["point_estimate"])


def median_ns(fn: Callable[[], object], repeats: int, quick: bool) -> float:
    """Median time of one call over `repeats` samples of enough calls for
    about 0.2 s each (one sample of 100 calls with `quick`)."""
    timer = timeit.Timer(fn)
    number = 100 if quick else timer.autorange()[0]
    samples = timer.repeat(repeat=1 if quick else repeats, number=number)
    return statistics.median(s / number * 1e9 for s in samples)


def measure(kind: str, args: argparse.Namespace) -> Dict[str, object]:
    text = bench_text(kind, 1024)
    policy = govstream.Policy.default()
    decision = policy.evaluate(text, org_id="org_acme")
    row: Dict[str, object] = {
        "input": f"{kind}_1KB",
        "bytes": len(text.encode()),
        "matches": len(decision.matches),
        "python_evaluate_ns": median_ns(
            lambda: policy.evaluate(text, org_id="org_acme"), args.repeats, args.quick
        ),
        "python_evaluate_to_json_ns": median_ns(
            lambda: policy.evaluate(text, org_id="org_acme").to_json(), args.repeats, args.quick
        ),
    }
    if not args.quick:
        rust = rust_median_ns(kind)
        budget = 1.5 * rust + 2000.0
        row.update(
            rust_ns=rust,
            budget_ns=budget,
            ratio=row["python_evaluate_ns"] / rust,  # type: ignore[operator]
            within_budget=row["python_evaluate_ns"] <= budget,  # type: ignore[operator]
        )
    return row


def us(ns: object) -> str:
    return f"{float(ns) / 1000:.2f} µs"  # type: ignore[arg-type]


def table(rows: List[Dict[str, object]]) -> str:
    lines = [
        "| input | Rust evaluate → Event JSON | Python `evaluate` | Python `evaluate().to_json()` "
        "| Python / Rust | budget (1.5 × Rust + 2 µs) | within |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        rust = us(r["rust_ns"]) if "rust_ns" in r else "—"
        ratio = f"{r['ratio']:.2f}×" if "ratio" in r else "—"
        budget = us(r["budget_ns"]) if "budget_ns" in r else "—"
        within = ("yes" if r["within_budget"] else "no") if "within_budget" in r else "—"
        lines.append(
            f"| {r['input']} ({r['matches']} matches) | {rust} | {us(r['python_evaluate_ns'])} "
            f"| {us(r['python_evaluate_to_json_ns'])} | {ratio} | {budget} | {within} |"
        )
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one short pass; no Rust run, no judging")
    parser.add_argument("--repeats", type=int, default=15, help="timed samples per figure (default 15)")
    parser.add_argument("--json", type=pathlib.Path, help="write the figures to this file")
    parser.add_argument("--check", action="store_true", help="exit 1 when over budget")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    rows = [measure(kind, args) for kind in INPUTS]
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    over = [r["input"] for r in rows if r.get("within_budget") is False]
    if over:
        print(f"over budget: {', '.join(map(str, over))}", file=sys.stderr)
    return 1 if over and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
