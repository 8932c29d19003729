"""The shared API vectors (`testdata/api/*.json`, format in
`testdata/api/README.md`) run through the package's public Python API, the
way a Python user calls it: `Policy.from_dict(...).scan(text)`, not a raw
JSON entry point. `core/tests/api_vectors.rs` is the Rust reference runner.

How each `call` maps to the Python API:

| call | Python |
|---|---|
| `version` | `govstream.__version__` |
| `builtin_rules` | `govstream.builtin_rules()` |
| `check_policy` | `Policy.from_dict(policy)` → `{"rules": len(p.rules())}` |
| `rules` | `policy.rules()` |
| `evaluate` | `policy.evaluate(text, context=…)` → `{**d.to_dict(), "redacted_text", "records"}` |
| `scan` | `policy.scan(text)` → `{"matches": [Match attributes], "scan_truncated"}` |
| `redact` | `policy.redact(text)` → `{"text", "scan_truncated"}` |
| `classify` | `govstream.classify(url, policy)` |
| `shadow_report` | `policy.shadow_report(report, now_ms=…)` |
| `audit_event` | `govstream.audit_event(event_type, request_id=…, …)` |
| `parse_keycloak` | `govstream.parse_keycloak(text, utc_offset=…, org_id=…)` |
| `analytics_summary` | `govstream.summarize(records, now_ms, scan_cap=…, top_patterns=…)` |
| `analytics_report_html` | `Analytics(now_ms=…)`, `extend(records)`, `report_html(title)` |
| `check_pipeline` | `Pipeline.from_spec(spec)` then `close()`; with network sinks, `Sink.from_spec` per sink instead |

The input's keys are passed as the keyword arguments of the same name (a
`policy` key is compiled with `Policy.from_dict`, absent it is
`Policy.default()`), so a missing or unknown key fails the way it fails for
a Python caller (`TypeError`).

`scan_truncated` comes from the `ScanTruncatedWarning` Python warns
instead of returning it. Keys Python never returns (`scanned_length`,
`redact`'s `redactions`) are left out of `ok`/`ok_subset`, listed in
`UNAVAILABLE`; `check_pipeline` compares nothing but success (Python
returns a running pipeline, not the spec as read) and `not_contains`.

`error_location` mapping rule (`docs/bindings.md`: a binding may rewrite a
location to its own argument names):
- calls whose values are keyword arguments (`evaluate`, `parse_keycloak`,
  `audit_event`, `shadow_report`): `$.context.<x>…` and `$.<x>…` become
  `<x>`, the argument's name (the path below it is dropped);
- `analytics_*`: `$.<rest>` becomes `<rest>` (`records[0].record_type`);
- `check_policy`, `check_pipeline` (`Pipeline.from_spec`): kept as is;
- `check_pipeline` checked sink by sink (`Sink.from_spec`): the sink's own
  paths `$.<x>` are `$.sinks[<i>].<x>` of the pipeline spec, and
  `what` `"sink"` is the pipeline spec's `"pipeline"`.

A case Python cannot express is skipped from `SKIPS`; a case where Python
raises `TypeError` for a bad argument (documented: wrong argument types
raise `TypeError` as usual in Python) is checked against `TYPE_ERRORS`;
a case where the package disagrees with the vector is an `xfail(strict)`
from `DIVERGENCES`. Nothing is skipped anywhere else.
"""

import json
import pathlib
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

import govstream
import pytest

VECTOR_DIR = pathlib.Path(__file__).resolve().parents[2] / "testdata" / "api"

EXPECT_KEYS = {
    "ok",
    "ok_subset",
    "ok_type",
    "ok_contains",
    "spans",
    "not_contains",
    "error_kind",
    "error_location",
    "error_rule_id",
    "error_what",
    "error_problem_paths",
}

ERROR_CLASSES: Dict[str, type] = {
    "policy": govstream.PolicyError,
    "rule": govstream.RuleError,
    "validation": govstream.ValidationError,
    "input": govstream.InputError,
    "closed": govstream.InputError,
    "full": govstream.InputError,
    "io": govstream.IoError,
}

# (file, name) -> why Python cannot express the case.
SKIPS: Dict[Tuple[str, str], str] = {
    ("errors.json", "invalid JSON input"): "input_raw: the Python API has no raw-JSON entry point",
    ("errors.json", "unknown call"): "the Python API has no call-by-name dispatch",
    ("calls.json", "audit_event builds a record"): "audit_event() has no `now_ms` or `event_id` keyword",
    ("errors.json", "now_ms of the wrong type"): "audit_event() has no `now_ms` keyword",
    # API keys serve report receivers, which are Rust today
    # (examples/report-receiver); the package does not bind them yet.
    ("calls.json", "mint_api_key returns the key once and its store entry"): "API keys are not bound in Python",
    ("calls.json", "check_key_store counts the keys"): "API keys are not bound in Python",
    ("calls.json", "verify_api_key accepts a stored key and names its org"): "API keys are not bound in Python",
    ("calls.json", "verify_api_key refuses a wrong secret without repeating the key"): "API keys are not bound in Python",
}

# (file, name) -> the argument name a TypeError message must name, or None
# where pyo3 does not name it ("'int' object is not an instance of 'str'").
# docs/python.md: "Wrong argument types raise TypeError ... as usual in Python".
TYPE_ERRORS: Dict[Tuple[str, str], Optional[str]] = {
    ("errors.json", "text of the wrong type"): None,  # evaluate(text=3)
    ("errors.json", "scan without text"): "text",  # scan(): missing argument
    ("errors.json", "scan with an unknown field"): "txet",  # scan(text=…, txet=…)
    ("errors.json", "classify without url"): "url",  # classify(policy=p)
    ("errors.json", "classify with a number"): None,  # classify(url=7)
    ("errors.json", "check_policy without policy"): "document",  # Policy.from_dict()
    ("errors.json", "shadow_report without report"): "report",  # shadow_report()
}

# (file, name) -> how the package disagrees with the vector (reported as a
# bug; strict, so a fix makes the case pass and this entry must go).
DIVERGENCES: Dict[Tuple[str, str], str] = {}

# Keys of the core's output the Python API never returns, per call.
UNAVAILABLE: Dict[str, Set[str]] = {
    # scan() returns the matches only; truncation is a warning (derived
    # below), the scanned length is not given at all.
    "scan": {"scanned_length"},
    # redact() returns the text only: no count of redactions, no length.
    "redact": {"redactions", "scanned_length"},
}

# Sinks that reach the network (or anything unknown): never started here.
LOCAL_SINK_KINDS = {"memory", "jsonl", "callback"}

KEYWORD_CALLS = {"evaluate", "parse_keycloak", "audit_event", "shadow_report"}


@dataclass
class Case:
    file: str
    name: str
    call: str
    input: Any
    has_raw: bool
    expect: Dict[str, Any]


@dataclass
class Outcome:
    output: Any = None
    matches: Optional[List[govstream.Match]] = None
    # False for check_pipeline: there is no output to compare.
    comparable: bool = True
    # Extra text a `not_contains` check also looks at (reprs, stats).
    shown: List[str] = field(default_factory=list)
    # Turns an error's location/paths/what into the vector's terms.
    error_map: Optional[Callable[[str], str]] = None
    what_map: Optional[Callable[[str], str]] = None


def load_cases() -> List[Case]:
    files = sorted(VECTOR_DIR.glob("*.json"))
    assert files, f"no vector files in {VECTOR_DIR}"
    cases = []
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(doc.get("about"), str), f"{path.name}: needs an `about` string"
        for i, c in enumerate(doc["cases"]):
            assert isinstance(c.get("name"), str), f"{path.name} case {i}: needs a `name`"
            cases.append(
                Case(
                    file=path.name,
                    name=c["name"],
                    call=c["call"],
                    input=c.get("input"),
                    has_raw="input_raw" in c,
                    expect=c["expect"],
                )
            )
    return cases


CASES = load_cases()


def case_params() -> List[Any]:
    params = []
    for c in CASES:
        key = (c.file, c.name)
        marks = []
        if key in DIVERGENCES:
            marks.append(pytest.mark.xfail(reason=DIVERGENCES[key], strict=True))
        params.append(pytest.param(c, id=f"{c.file}/{c.name}", marks=marks))
    return params


# --- matching rules (README: ok_subset, ok_type) ----------------------------


def json_type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (list, tuple)):
        return "array"
    if isinstance(v, dict):
        return "object"
    raise AssertionError(f"not a JSON value: {v!r}")


def subset(want: Any, have: Any, path: str = "$", exact: bool = False) -> None:
    """`want` ⊆ `have` (or ==, with `exact`): objects by key, arrays element
    by element with equal lengths, numbers by value, booleans apart from
    numbers."""
    wt, ht = json_type(want), json_type(have)
    assert wt == ht, f"{path}: {have!r} ({ht}), expected {want!r} ({wt})"
    if wt == "object":
        if exact:
            assert set(want) == set(have), f"{path}: keys {sorted(have)}, expected {sorted(want)}"
        for k, wv in want.items():
            assert k in have, f"{path}.{k}: missing"
            subset(wv, have[k], f"{path}.{k}", exact)
    elif wt == "array":
        assert len(want) == len(have), f"{path}: {len(have)} items, expected {len(want)}"
        for i, (wv, hv) in enumerate(zip(want, have)):
            subset(wv, hv, f"{path}[{i}]", exact)
    else:
        assert want == have, f"{path}: {have!r}, expected {want!r}"


def without(value: Any, keys: Set[str]) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in keys}
    return value


# --- spans -----------------------------------------------------------------


def slice_code_points(text: str, s: int, e: int) -> str:
    assert 0 <= s <= e <= len(text), (s, e, len(text))
    return text[s:e]


def slice_bytes(text: str, s: int, e: int) -> str:
    b = text.encode("utf-8")
    assert 0 <= s <= e <= len(b), (s, e, len(b))
    return b[s:e].decode("utf-8")  # strict: a split sequence raises


def slice_utf16(text: str, s: int, e: int) -> str:
    b = text.encode("utf-16-le")
    assert 0 <= 2 * s <= 2 * e <= len(b), (s, e, len(b) // 2)
    return b[2 * s : 2 * e].decode("utf-16-le")  # strict: a split pair raises


def check_spans(want: List[Dict[str, Any]], matches: List[govstream.Match], text: str) -> None:
    found = [(m.rule_id, text[m.start : m.end]) for m in matches]
    assert len(matches) == len(want), f"{len(matches)} matches, expected {len(want)}: {found}"
    units: List[Tuple[str, Callable[[str, int, int], str], str, str]] = [
        ("code point", slice_code_points, "start", "end"),
        ("byte", slice_bytes, "byte_start", "byte_end"),
        ("utf16", slice_utf16, "utf16_start", "utf16_end"),
    ]
    for i, (w, m) in enumerate(zip(want, matches)):
        if "rule_id" in w:
            assert m.rule_id == w["rule_id"], f"matches[{i}]: rule {m.rule_id}, expected {w['rule_id']}"
        for unit, cut, sk, ek in units:
            s, e = getattr(m, sk), getattr(m, ek)
            try:
                got = cut(text, s, e)
            except (AssertionError, UnicodeDecodeError) as err:
                raise AssertionError(f"matches[{i}]: {unit} offsets {s}..{e} do not slice the text: {err}")
            assert got == w["text"], f"matches[{i}]: {unit} offsets {s}..{e} give {got!r}, expected {w['text']!r}"


def match_dict(m: govstream.Match) -> Dict[str, Any]:
    names = [
        "rule_id", "rule_name", "category", "severity", "confidence", "action",
        "start", "end", "byte_start", "byte_end", "utf16_start", "utf16_end",
    ]  # fmt: skip
    return {n: getattr(m, n) for n in names}


# --- location rules -----------------------------------------------------------


def argument_name(path: str) -> str:
    """`$.context.user_id` → `user_id`, `$.headers.x` → `headers`."""
    for prefix in ("$.context.", "$."):
        if path.startswith(prefix):
            rest = path[len(prefix) :]
            return rest.replace("[", ".").split(".")[0]
    return path


def below_root(path: str) -> str:
    """`$.records[0].record_type` → `records[0].record_type`."""
    return path[2:] if path.startswith("$.") else path


def python_location(call: str, path: str) -> str:
    if call in KEYWORD_CALLS:
        return argument_name(path)
    if call.startswith("analytics_"):
        return below_root(path)
    return path


# --- the calls ------------------------------------------------------------------


def compile_policy(inp: Dict[str, Any]) -> govstream.Policy:
    doc = inp.pop("policy", None)
    return govstream.Policy.default() if doc is None else govstream.Policy.from_dict(doc)


def truncated(caught: List[warnings.WarningMessage]) -> bool:
    return any(issubclass(w.category, govstream.ScanTruncatedWarning) for w in caught)


def run_check_pipeline(spec: Any) -> Outcome:
    sinks = spec.get("sinks") if isinstance(spec, dict) else None
    networked = isinstance(sinks, list) and any(
        not isinstance(s, dict) or s.get("kind") not in LOCAL_SINK_KINDS for s in sinks
    )
    if not networked:
        received: List[bytes] = []
        callbacks: Dict[str, Callable[[bytes], object]] = {
            s["name"]: received.append for s in (sinks or []) if isinstance(s, dict) and s.get("kind") == "callback"
        }
        p = govstream.Pipeline.from_spec(spec, callbacks=callbacks or None)
        shown = [repr(p), json.dumps(p.stats())]
        assert p.close(timeout=5.0).complete
        assert received == [], "nothing was emitted, nothing may be delivered"
        return Outcome(comparable=False, shown=shown)
    # Network sinks are never started: each is checked alone, its paths
    # being below `$.sinks[i]` of the pipeline spec.
    shown = []
    assert isinstance(sinks, list)
    for i, s in enumerate(sinks):
        try:
            sink = govstream.Sink.from_spec(s)
        except govstream.GovstreamError as e:
            prefix = f"$.sinks[{i}]"
            e.problems = [(prefix + p[1:] if p.startswith("$") else p, m) for p, m in e.problems]
            location = getattr(e, "location", None)
            if isinstance(location, str) and location.startswith("$"):
                setattr(e, "location", prefix + location[1:])
            if getattr(e, "what", None) == "sink":
                setattr(e, "what", "pipeline")
            raise
        shown.append(repr(sink))
    return Outcome(comparable=False, shown=shown)


def run(case: Case) -> Outcome:
    assert isinstance(case.input, dict), "every runnable case's input is an object"
    inp: Dict[str, Any] = dict(case.input)
    call = case.call
    if call == "version":
        return Outcome(output=govstream.__version__)
    if call == "builtin_rules":
        return Outcome(output=govstream.builtin_rules())
    if call == "check_policy":
        if "policy" in inp:
            inp["document"] = inp.pop("policy")
        p = govstream.Policy.from_dict(**inp)
        return Outcome(output={"rules": len(p.rules())}, shown=[repr(p)])
    if call in {"rules", "evaluate", "scan", "redact", "classify", "shadow_report"}:
        policy = compile_policy(inp)
        if call == "rules":
            return Outcome(output=policy.rules(**inp))
        if call == "evaluate":
            # The API's input `id` is the records' `request_id` unless the
            # context names one; Python says `request_id=` directly.
            if "id" in inp:
                input_id = inp.pop("id")
                context = inp.get("context") or {}
                if input_id is not None and "request_id" not in context:
                    inp["request_id"] = input_id if isinstance(input_id, str) else json.dumps(input_id)
            d = policy.evaluate(**inp)
            out = {**d.to_dict(), "redacted_text": d.redacted_text, "records": d.records()}
            return Outcome(output=out, matches=d.matches, shown=[repr(d), d.to_json()])
        if call in {"scan", "redact"}:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                if call == "scan":
                    found = policy.scan(**inp)
                    out = {"matches": [match_dict(m) for m in found], "scan_truncated": truncated(caught)}
                    return Outcome(output=out, matches=found, shown=[repr(found)])
                text = policy.redact(**inp)
                return Outcome(output={"text": text, "scan_truncated": truncated(caught)})
        if call == "classify":
            return Outcome(output=govstream.classify(**inp, policy=policy))
        return Outcome(output=policy.shadow_report(**inp))
    if call == "audit_event":
        return Outcome(output=govstream.audit_event(**inp))
    if call == "parse_keycloak":
        return Outcome(output=govstream.parse_keycloak(**inp))
    if call == "analytics_summary":
        return Outcome(output=govstream.summarize(**inp))
    if call == "analytics_report_html":
        records = inp.pop("records")
        title = inp.pop("title", None)
        a = govstream.Analytics(**inp)
        a.extend(records)
        html = a.report_html() if title is None else a.report_html(title)
        return Outcome(output=html, shown=[repr(a)])
    if call == "check_pipeline":
        return run_check_pipeline(case.input)
    if call == "policy_test":
        policy = compile_policy(inp)
        baseline_doc = inp.pop("baseline", None)
        baseline = None if baseline_doc is None else govstream.Policy.from_dict(baseline_doc)
        thresholds = inp.pop("thresholds", None) or {}
        return Outcome(output=policy.compare(inp.pop("corpus"), baseline=baseline, **thresholds, **inp))
    raise AssertionError(f"no Python mapping for call {call!r}: add one, or a SKIPS entry")


# --- checking ---------------------------------------------------------------------


def check_not_contains(needles: List[str], texts: List[str]) -> None:
    for needle in needles:
        for t in texts:
            assert needle not in t, f"{needle!r} shows in {t[:300]!r}"


def check_error(case: Case, e: BaseException) -> None:
    x = case.expect
    key = (case.file, case.name)
    if key in TYPE_ERRORS:
        assert type(e) is TypeError, f"expected TypeError, got {type(e).__name__}: {e}"
        arg = TYPE_ERRORS[key]
        if arg is not None:
            assert f"'{arg}'" in str(e), f"TypeError does not name {arg!r}: {e}"
        # Nothing else to compare: a TypeError carries no kind or location.
        return
    kind = x["error_kind"]
    assert isinstance(e, govstream.GovstreamError), f"expected a {kind} error, got {type(e).__name__}: {e}"
    cls = ERROR_CLASSES[kind]
    assert type(e) is cls, f"kind {kind!r} must raise {cls.__name__}, got {type(e).__name__}"
    assert e.kind == kind, f"e.kind is {e.kind!r}, expected {kind!r}"
    if "error_location" in x:
        want = python_location(case.call, x["error_location"])
        assert getattr(e, "location", None) == want, f"location {getattr(e, 'location', None)!r}, expected {want!r}"
    if "error_what" in x:
        assert getattr(e, "what", None) == x["error_what"], f"what {getattr(e, 'what', None)!r}"
    if "error_rule_id" in x:
        assert getattr(e, "rule_id", None) == x["error_rule_id"], f"rule_id {getattr(e, 'rule_id', None)!r}"
    if "error_problem_paths" in x:
        have = {p for p, _ in e.problems}
        for p in x["error_problem_paths"]:
            assert p in have, f"no problem at {p}; problems: {e.problems}"


def check_ok(case: Case, out: Outcome) -> None:
    x = case.expect
    dropped = UNAVAILABLE.get(case.call, set())
    if out.comparable:
        if "ok" in x:
            subset(without(x["ok"], dropped), out.output, exact=True)
        if "ok_subset" in x:
            subset(without(x["ok_subset"], dropped), out.output)
        if "ok_type" in x:
            assert json_type(out.output) == x["ok_type"], f"output is a {json_type(out.output)}"
        if "ok_contains" in x:
            assert isinstance(out.output, str), "ok_contains needs a string output"
            for needle in x["ok_contains"]:
                assert needle in out.output, f"output lacks {needle!r}"
    else:
        # check_pipeline: success is that it starts (or its sinks build).
        assert case.call == "check_pipeline"
    if "spans" in x:
        assert out.matches is not None, f"{case.call} gives no matches to check spans on"
        text = case.input["text"]
        assert isinstance(text, str)
        check_spans(x["spans"], out.matches, text)


@pytest.mark.parametrize("case", case_params())
def test_vector(case: Case) -> None:
    unknown = set(case.expect) - EXPECT_KEYS
    assert not unknown, f"unknown expect keys {sorted(unknown)}"
    key = (case.file, case.name)
    if key in SKIPS:
        pytest.skip(SKIPS[key])
    assert not case.has_raw, "input_raw cannot be given to the Python API: add a SKIPS entry"
    failing = "error_kind" in case.expect
    try:
        out = run(case)
    except Exception as e:
        if not failing:
            raise
        check_error(case, e)
        texts = [str(e), repr(e), repr(getattr(e, "problems", None)), repr(getattr(e, "location", None))]
        check_not_contains(case.expect.get("not_contains", []), texts)
        return
    assert not failing, f"expected a {case.expect['error_kind']} error, got {out.output!r}"[:500]
    check_ok(case, out)
    texts = [json.dumps(out.output, ensure_ascii=False), repr(out.output), str(out.output), *out.shown]
    check_not_contains(case.expect.get("not_contains", []), texts)


def test_the_tables_name_existing_cases() -> None:
    names = {(c.file, c.name) for c in CASES}
    assert len(names) == len(CASES), "a case name is given twice in a file"
    for table in (SKIPS, TYPE_ERRORS, DIVERGENCES):
        stale = set(table) - names
        assert not stale, f"no such cases: {sorted(stale)}"
    assert not set(SKIPS) & (set(TYPE_ERRORS) | set(DIVERGENCES))
    for c in CASES:
        if (c.file, c.name) in TYPE_ERRORS:
            assert "error_kind" in c.expect


def test_most_cases_run() -> None:
    assert len(SKIPS) * 5 < len(CASES), (len(SKIPS), len(CASES))


def test_the_matchers_reject_what_they_should() -> None:
    have = {"a": 1, "b": [{"c": 2, "d": 3}], "t": True}
    subset({"b": [{"c": 2}]}, have)
    subset({"a": 1.0}, have)
    bads: List[Dict[str, Any]] = [{"b": []}, {"a": 2}, {"z": 1}, {"t": 1}, {"a": True}]
    for bad in bads:
        with pytest.raises(AssertionError):
            subset(bad, have)
    with pytest.raises(AssertionError):
        subset({"a": 1}, have, exact=True)
    text = "a😀b"
    assert slice_bytes(text, 1, 5) == "😀"
    with pytest.raises(UnicodeDecodeError):
        slice_bytes(text, 1, 3)
    assert slice_code_points(text, 1, 2) == "😀"
    assert slice_utf16(text, 1, 3) == "😀"
    with pytest.raises(UnicodeDecodeError):
        slice_utf16(text, 1, 2)
    with pytest.raises(AssertionError):
        slice_code_points(text, 1, 9)
    assert argument_name("$.context.user_id") == "user_id"
    assert argument_name("$.utc_offset") == "utc_offset"
    assert argument_name("$.headers.x") == "headers"
    assert python_location("evaluate", "$.context.phase") == "phase"
    assert python_location("analytics_summary", "$.records[0].record_type") == "records[0].record_type"
    assert python_location("check_pipeline", "$.sinks[0].kind") == "$.sinks[0].kind"
