"""Runs one seeded prompt corpus through govstream, Presidio (pattern recognizers,
blank spaCy pipeline), detect-secrets and plain Python `re` with govstream's
rules; prints throughput and what each found against the planted ground truth.

    python compare.py                 # full run: 1500 prompts (~3.3 MB), 3 timed passes
    python compare.py --quick         # smoke run: 60 prompts, 1 timed pass
    python compare.py --json out.json # also write machine-readable results

Nothing here may reach the network: an audit hook refuses every connection and
the run fails if anything tried one.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from importlib import metadata
from typing import Any, Dict, List, Sequence

NETWORK_EVENTS = frozenset({"socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
                            "socket.gethostbyaddr", "socket.sendto", "urllib.Request"})
network_attempts: List[str] = []


def _refuse_network(event: str, args: tuple[Any, ...]) -> None:
    if event in NETWORK_EVENTS:
        network_attempts.append(f"{event}{args!r:.120}")
        raise PermissionError(f"the peer benchmark runs offline; refused {event}")


# Installed before the tools are imported, so that import-time fetches are caught too.
sys.addaudithook(_refuse_network)

import corpus  # noqa: E402
import score  # noqa: E402
import tools  # noqa: E402

PACKAGES = ("govstream", "presidio-analyzer", "spacy", "detect-secrets", "tldextract",
            "phonenumbers")
MEASURED = ("time of one call per prompt (govstream `Policy.scan`, Presidio `analyze`, "
            "detect-secrets' line scan, every compiled `re` pattern's `finditer`), including each "
            "library's per-call overhead and result objects; not the mapping to classes. "
            "MB = 10^6 bytes of UTF-8 input.")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small corpus and one timed pass (CI smoke run)")
    parser.add_argument("--prompts", type=int, help="corpus size (default 1500; quick 60)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--passes", type=int, help="timed passes (default 3; quick 1)")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON here")
    args = parser.parse_args(argv)
    args.prompts = args.prompts or (60 if args.quick else 1500)
    args.passes = args.passes or (1 if args.quick else 3)
    if args.prompts < 1 or args.passes < 1:
        parser.error("--prompts and --passes must be at least 1")
    return args


def setup_tools() -> tuple[List[tools.Tool], Dict[str, str], Dict[str, float]]:
    """The tools, the rules `re` skipped, and each tool's set-up seconds."""
    started = time.perf_counter()
    plain_re, skipped = tools.re_tool()
    setup = {plain_re.name: time.perf_counter() - started}
    built = []
    for make in (tools.govstream_tool, tools.presidio_tool, tools.detect_secrets_tool):
        started = time.perf_counter()
        tool = make()
        setup[tool.name] = time.perf_counter() - started
        built.append(tool)
    return [*built, plain_re], skipped, setup


def collect(tool: tools.Tool, texts: Sequence[str]) -> List[List[tools.Finding]]:
    """One untimed pass that keeps the findings; it also warms the tool up."""
    return [tool.findings(text, tool.scan(text)) for text in texts]


def timed_pass(tool: tools.Tool, texts: Sequence[str]) -> float:
    scan = tool.scan
    started = time.perf_counter()
    for text in texts:
        scan(text)
    return time.perf_counter() - started


def measure(all_tools: Sequence[tools.Tool], texts: Sequence[str],
            passes: int) -> Dict[str, List[float]]:
    # Passes are interleaved across tools so that load from elsewhere on a shared
    # machine falls on all of them rather than on whichever ran at that moment.
    seconds: Dict[str, List[float]] = {t.name: [] for t in all_tools}
    for _ in range(passes):
        for tool in all_tools:
            seconds[tool.name].append(timed_pass(tool, texts))
    return seconds


def throughput_table(seconds: Dict[str, List[float]], setup: Dict[str, float],
                     megabytes: float, prompts: int) -> str:
    header = "| tool | MB/s | prompts/s | median pass (s) | passes (s) | set-up (s) |"
    rows = [header, "|---|---:|---:|---:|---|---:|"]
    for name, runs in seconds.items():
        median = statistics.median(runs)
        rows.append(f"| {name} | {megabytes / median:.2f} | {prompts / median:.0f} | "
                    f"{median:.2f} | {', '.join(f'{r:.2f}' for r in runs)} | "
                    f"{setup[name]:.2f} |")
    return "\n".join(rows)


def versions() -> Dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def report(args: argparse.Namespace, prompts: List[corpus.Prompt], all_tools: List[tools.Tool],
           results: Dict[str, Any]) -> None:
    planted, decoys = score.planted_counts(prompts)
    scores = results["scores"]
    print(f"\n## Throughput ({args.passes} timed pass(es) after one warm-up pass)\n")
    print(throughput_table(results["seconds"], results["setup"], results["megabytes"],
                           len(prompts)))
    print(f"\nMeasured: {MEASURED}")
    print("\n## Findings per class: found / true positives / false positives\n")
    print(score.findings_table(scores, planted))
    print("\nA finding is true when it overlaps a planted value of its class, false when it "
          "overlaps none; found − true − false = findings on a planted value of another class "
          "(e.g. a generic `token=` rule on a Slack token). — = the tool has no label for it.")
    print("\n## Planted values found (recall)\n")
    print(score.recall_table(scores, planted))
    print("\n## Decoys hit (by a finding of any label)\n")
    print(score.decoy_table(scores, decoys))
    print("\n## Findings under labels with no corpus class\n")
    print(score.unmapped_table(scores))
    print("\n## Configurations\n")
    for tool in all_tools:
        print(f"- **{tool.name}**: {tool.config}")
    skipped = results["re_skipped"]
    print(f"- plain `re` skipped {len(skipped)} rule(s)" +
          "".join(f"\n  - `{rule}`: {why}" for rule, why in skipped.items()))


def to_json(args: argparse.Namespace, prompts: List[corpus.Prompt],
            all_tools: List[tools.Tool], results: Dict[str, Any]) -> Dict[str, Any]:
    planted, decoys = score.planted_counts(prompts)
    megabytes = results["megabytes"]
    return {
        "meta": {"date": datetime.date.today().isoformat(), "python": platform.python_version(),
                 "platform": platform.platform(), "cpus": os.cpu_count(),
                 "versions": versions(), "seed": args.seed, "prompts": len(prompts),
                 "megabytes": megabytes, "timed_passes": args.passes, "measured": MEASURED},
        "planted": dict(planted), "decoys": dict(decoys), "re_skipped": results["re_skipped"],
        "tools": {
            t.name: {"config": t.config, "setup_seconds": results["setup"][t.name],
                     "pass_seconds": results["seconds"][t.name],
                     "mb_per_s": megabytes / statistics.median(results["seconds"][t.name]),
                     "prompts_per_s": len(prompts) / statistics.median(results["seconds"][t.name]),
                     **score.as_json(results["scores"][t.name])}
            for t in all_tools},
    }


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    prompts = corpus.generate(args.prompts, args.seed)
    texts = [p.text for p in prompts]
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    planted, decoys = score.planted_counts(prompts)
    print(f"corpus: {len(prompts)} prompts, {megabytes:.2f} MB, seed {args.seed}, "
          f"{sum(planted.values())} planted values, {sum(decoys.values())} decoys; "
          f"versions: {', '.join(f'{k} {v}' for k, v in versions().items())}")
    all_tools, skipped, setup = setup_tools()
    try:
        return run(args, prompts, all_tools, skipped, setup, started)
    finally:
        tools.close()


def run(args: argparse.Namespace, prompts: List[corpus.Prompt], all_tools: List[tools.Tool],
        skipped: Dict[str, str], setup: Dict[str, float], started: float) -> int:
    texts = [p.text for p in prompts]
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    found = {t.name: collect(t, texts) for t in all_tools}
    results: Dict[str, Any] = {
        "megabytes": megabytes, "setup": setup, "re_skipped": skipped,
        "seconds": measure(all_tools, texts, args.passes),
        "scores": {t.name: score.score_tool(prompts, found[t.name], set(t.classes))
                   for t in all_tools},
    }
    report(args, prompts, all_tools, results)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(to_json(args, prompts, all_tools, results), out, indent=2)
    print(f"\n(total {time.perf_counter() - started:.0f} s)")
    if network_attempts:
        print("error: something tried to reach the network:\n  " + "\n  ".join(network_attempts),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
