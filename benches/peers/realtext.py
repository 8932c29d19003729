"""govstream, Hyperscan and gitleaks on one real-text corpus, in one run.

The corpus is text nobody on the project wrote: Debian changelogs and the
Python standard library's sources shipped on this machine, read in sorted
path order (so two runs on one machine read the same bytes), cut into 4 KB
prompts. Every tool scans every prompt; the table gives MB/s per tool and how
many findings it reported, so a tool that "scans fast" by finding nothing
shows it.

    python benches/peers/realtext.py [--mb 8] [--gitleaks PATH] [--govstream PATH] [--patterns JSON] [--no-python] [--cpu]

- govstream, in process: the Python package's `Policy.default().scan` per
  prompt (start and end offsets, validators, every built-in rule);
- govstream CLI: `govstream scan` on the prompts as JSON Lines, end to end
  (JSON in and out), the release binary;
- Hyperscan (the `hyperscan` PyPI package) with govstream's own rule
  patterns, end offsets only and with start offsets (`HS_FLAG_SOM_LEFTMOST`):
  the table says how many rules each mode could compile;
- gitleaks (`gitleaks dir`), when a binary is given or found on PATH.

No network: everything is read from local files.
"""

import argparse
import gzip
import json
import pathlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, List, Tuple

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROMPT_BYTES = 4096


def corpus(megabytes: float) -> List[str]:
    """Prompts from changelogs and Python sources shipped with the OS."""
    limit = int(megabytes * 1_000_000)
    sources: List[pathlib.Path] = sorted(pathlib.Path("/usr/share/doc").glob("*/changelog*.gz"))
    sources += sorted(p for d in sorted(pathlib.Path("/usr/lib").glob("python3*")) for p in d.rglob("*.py"))
    chunks: List[str] = []
    size = 0
    for path in sources:
        try:
            raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
        except (OSError, EOFError):
            continue
        text = raw.decode("utf-8", "replace")
        chunks.append(text)
        size += len(text.encode())
        if size >= limit:
            break
    whole = "".join(chunks).encode()[:limit].decode("utf-8", "ignore")
    out: List[str] = []
    cur: List[str] = []
    cur_len = 0
    for line in whole.splitlines(keepends=True):
        n = len(line.encode())
        if cur and cur_len + n > PROMPT_BYTES:
            out.append("".join(cur))
            cur, cur_len = [], 0
        cur.append(line)
        cur_len += n
    if cur:
        out.append("".join(cur))
    return out


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children: on a machine
    shared with other work, wall time measures the neighbours too."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


CPU = False


def timed(fn: Callable[[], int]) -> Tuple[float, int]:
    clock = cpu_seconds if CPU else time.perf_counter
    start = clock()
    found = fn()
    return clock() - start, found


def run_govstream_python(prompts: List[str]) -> Tuple[float, int]:
    import govstream

    policy = govstream.Policy.default()
    return timed(lambda: sum(len(policy.scan(p)) for p in prompts))


def run_govstream_cli(prompts: List[str], binary: pathlib.Path, tmp: pathlib.Path) -> Tuple[float, int]:
    src = tmp / "prompts.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": p}) + "\n" for i, p in enumerate(prompts)))

    stdout: List[str] = []

    def go() -> int:
        out = subprocess.run([str(binary), "scan", str(src)], capture_output=True, text=True, check=False)
        if out.returncode not in (0, 1):
            raise RuntimeError(out.stderr)
        stdout.append(out.stdout)
        return 0

    # Counting the findings reads the JSON in Python, which is not the
    # CLI's time: it happens after the clock stops.
    secs, _ = timed(go)
    return secs, sum(len(json.loads(line).get("matches", [])) for line in stdout[0].splitlines() if line)


def hyperscan_db(patterns: List[str], som: bool) -> Tuple[Any, int]:
    import hyperscan

    base = hyperscan.HS_FLAG_ALLOWEMPTY | hyperscan.HS_FLAG_UTF8
    flags = base | (hyperscan.HS_FLAG_SOM_LEFTMOST if som else 0)
    ok: List[bytes] = []
    for p in patterns:
        db = hyperscan.Database()
        try:
            db.compile(expressions=[p.encode()], ids=[0], flags=[flags])
            ok.append(p.encode())
        except hyperscan.error:
            continue
    db = hyperscan.Database()
    db.compile(expressions=ok, ids=list(range(len(ok))), flags=[flags] * len(ok))
    return db, len(ok)


def run_hyperscan(prompts: List[str], db: Any) -> Tuple[float, int]:
    import hyperscan

    encoded = [p.encode() for p in prompts]
    count = [0]
    scratch = hyperscan.Scratch(db)  # allocated once, as a real scanner would

    def on_match(*_: Any) -> None:
        count[0] += 1

    def go() -> int:
        for p in encoded:
            db.scan(p, match_event_handler=on_match, scratch=scratch)
        return count[0]

    return timed(go)


def run_gitleaks(prompts: List[str], binary: str, tmp: pathlib.Path) -> Tuple[float, int]:
    d = tmp / "gitleaks-in"
    d.mkdir()
    for i, p in enumerate(prompts):
        (d / f"{i:06}.txt").write_text(p)
    report = tmp / "gitleaks.json"

    def go() -> int:
        subprocess.run([binary, "dir", str(d), "--no-banner", "-f", "json", "-r", str(report)],
                       capture_output=True, check=False)
        return len(json.loads(report.read_text() or "[]"))

    return timed(go)


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=8.0, help="corpus size in MB (default 8)")
    ap.add_argument("--gitleaks", help="a gitleaks binary (default: on PATH, else skipped)")
    ap.add_argument("--govstream", help="the govstream CLI (default: target/release/govstream)")
    ap.add_argument("--patterns", help="a JSON list of the rule patterns Hyperscan compiles "
                    "(default: the installed package's govstream.builtin_rules())")
    ap.add_argument("--no-python", action="store_true",
                    help="skip the Python package row, e.g. when the installed package is not the build measured")
    ap.add_argument("--cpu", action="store_true",
                    help="time by CPU seconds (process and children) instead of wall time, on a loaded machine")
    args = ap.parse_args(argv)
    global CPU
    CPU = args.cpu

    prompts = corpus(args.mb)
    total = sum(len(p.encode()) for p in prompts)
    if total == 0:
        print("no corpus: /usr/share/doc changelogs and /usr/lib/python3* sources are missing")
        return 0
    print(f"corpus: {len(prompts)} prompts, {total / 1e6:.1f} MB (changelogs, Python sources)")
    rows: List[Tuple[str, float, int]] = []

    if not args.no_python:
        secs, found = run_govstream_python(prompts)
        rows.append(("govstream Policy.scan (Python package, in process)", secs, found))

    binary = pathlib.Path(args.govstream or ROOT / "target" / "release" / "govstream")
    with tempfile.TemporaryDirectory() as t:
        tmp = pathlib.Path(t)
        if binary.exists():
            secs, found = run_govstream_cli(prompts, binary, tmp)
            rows.append(("govstream scan (CLI, JSON in and out)", secs, found))
        else:
            print(f"skipped the CLI: {binary} not built (cargo build --release --bin govstream)")

        if args.patterns:
            patterns = json.loads(pathlib.Path(args.patterns).read_text())
        else:
            import govstream

            patterns = [r["pattern"] for r in govstream.builtin_rules()]
        for som in (False, True):
            db, n = hyperscan_db(patterns, som)
            mode = "with start offsets" if som else "end offsets only"
            secs, found = run_hyperscan(prompts, db)
            rows.append((f"Hyperscan, govstream's rules, {mode} ({n} of {len(patterns)} compile)", secs, found))

        gl = args.gitleaks or shutil.which("gitleaks")
        if gl:
            secs, found = run_gitleaks(prompts, gl, tmp)
            rows.append(("gitleaks dir", secs, found))
        else:
            print("skipped gitleaks: no binary (go install github.com/zricethezav/gitleaks/v8@latest)")

    print()
    print(f"| tool | MB/s ({'CPU' if CPU else 'wall'} time) | findings |")
    print("|---|---|---|")
    for name, secs, found in rows:
        print(f"| {name} | {total / 1e6 / secs:.1f} | {found} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
