"""govstream.integrations.litellm against the real `litellm` package: its
guardrail hooks called as the LiteLLM proxy calls them, on LiteLLM's own
response objects from a stand-in OpenAI-compatible server on loopback."""

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import govstream

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_TELEMETRY", "False")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "python"))

if os.environ.get("GOVSTREAM_REQUIRE_INTEGRATIONS"):
    import litellm
else:
    litellm = pytest.importorskip("litellm")

from fastapi import HTTPException  # noqa: E402
from litellm.integrations.custom_guardrail import is_guardrail_intervention  # noqa: E402
from litellm.proxy._types import UserAPIKeyAuth  # noqa: E402
from openai_standin import StandIn  # noqa: E402

from govstream.integrations.litellm import GovstreamGuardrail  # noqa: E402

# LiteLLM's own pydantic models warn about their TypedDicts as they load.
# (and one serializes its own Responses usage with a warning).
pytestmark = [
    pytest.mark.filterwarnings("ignore:Items? .* (is|are) using the `ReadOnly` qualifier"),
    pytest.mark.filterwarnings("ignore:Pydantic serializer warnings"),
]

POLICY = govstream.Policy.from_dict(
    {"actions": {"prompt": {"medium": "redact", "critical": "block"}, "response": {"medium": "redact"}}}
)
KEY = "AKIAIOSFODNN7EXAMPLE"
EMAIL = "jane.doe@example.com"
LONG_REPLY = ("Every region reported steady numbers this quarter. " * 400) + f"Key {KEY}, mail {EMAIL}."
CALLER = UserAPIKeyAuth(user_id="u_7", team_id="team_a", key_alias="gateway")


@pytest.fixture()
def server() -> Iterator[StandIn]:
    with StandIn(chunk_chars=64) as s:
        yield s


@pytest.fixture()
def pipeline() -> Iterator[govstream.Pipeline]:
    with govstream.Pipeline([govstream.Sink.memory("m")]) as p:
        yield p


def guardrail(pipeline: Any = None, **kw: Any) -> GovstreamGuardrail:
    kw.setdefault("event_hook", ["pre_call", "post_call"])
    return GovstreamGuardrail(policy=POLICY, pipeline=pipeline, guardrail_name="govstream", default_on=True, **kw)


def events(p: govstream.Pipeline) -> List[Dict[str, Any]]:
    p.flush(timeout=5.0)
    return [r for r in p.memory_records("m") if r.get("record_type") == "event"]


def test_pre_call_redacts_and_refuses(pipeline: govstream.Pipeline) -> None:
    g = guardrail(pipeline)
    data: Dict[str, Any] = {"model": "gpt-test", "messages": [{"role": "user", "content": f"mail {EMAIL}"}]}
    out = asyncio.run(g.async_pre_call_hook(CALLER, None, data, "completion"))
    assert out is not None and out["messages"][0]["content"] == "mail [REDACTED:pii.email]"
    refused = {"model": "gpt-test", "messages": [{"role": "user", "content": f"key {KEY}"}]}
    with pytest.raises(HTTPException) as info:
        asyncio.run(g.async_pre_call_hook(CALLER, None, refused, "completion"))
    assert info.value.status_code == 400
    assert is_guardrail_intervention(info.value)
    detail = info.value.detail
    assert detail["govstream"]["verdict"] == "block"
    assert detail["govstream"]["rules"] == ["secrets.aws_access_key_id"]
    assert KEY not in json.dumps(detail)
    evs = events(pipeline)
    assert [e["verdict"] for e in evs] == ["redact", "block"]
    assert evs[0]["user_id"] == "u_7" and evs[0]["model"] == "gpt-test"
    assert evs[0]["metadata"]["litellm"] == {"team_id": "team_a", "key_alias": "gateway"}
    assert detail["govstream"]["event_id"] == evs[1]["event_id"]


def test_moderation_hook_only_refuses() -> None:
    g = guardrail(event_hook="during_call")
    data: Dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": f"mail {EMAIL}"}]}
    assert asyncio.run(g.async_moderation_hook(data, CALLER, "completion")) is None
    assert data["messages"][0]["content"] == f"mail {EMAIL}"
    data["messages"][0]["content"] = KEY
    with pytest.raises(HTTPException):
        asyncio.run(g.async_moderation_hook(data, CALLER, "completion"))


def test_post_call_redacts_a_litellm_response(server: StandIn, pipeline: govstream.Pipeline) -> None:
    server.reply = f"Reach {EMAIL} soon"
    g = guardrail(pipeline)
    data: Dict[str, Any] = {"model": "openai/gpt-test", "messages": [{"role": "user", "content": "hi"}]}

    async def run() -> Any:
        response = await litellm.acompletion(api_base=server.base_url, api_key="test", **data)
        return await g.async_post_call_success_hook(data, CALLER, response)

    response = asyncio.run(run())
    assert isinstance(response, litellm.ModelResponse)
    assert response.choices[0].message.content == "Reach [REDACTED:pii.email] soon"
    assert [e["phase"] for e in events(pipeline)] == ["response"]


def test_streamed_answer_is_redacted_chunk_by_chunk(server: StandIn, pipeline: govstream.Pipeline) -> None:
    server.reply = LONG_REPLY
    g = guardrail(pipeline)
    data: Dict[str, Any] = {"model": "openai/gpt-test", "messages": [{"role": "user", "content": "hi"}], "stream": True}

    async def run() -> List[str]:
        stream = await litellm.acompletion(api_base=server.base_url, api_key="test", **data)
        pieces = []
        async for chunk in g.async_post_call_streaming_iterator_hook(CALLER, stream, data):
            assert isinstance(chunk, litellm.ModelResponseStream)
            pieces.extend(c.delta.content or "" for c in chunk.choices)
        return pieces

    pieces = asyncio.run(run())
    assert "".join(pieces) == POLICY.redact(LONG_REPLY)
    assert next(i for i, p in enumerate(pieces) if p) < len(pieces) - 2
    assert [e["verdict"] for e in events(pipeline)] == ["redact"]


def test_guardrail_not_requested_does_nothing() -> None:
    g = GovstreamGuardrail(policy=POLICY, guardrail_name="govstream", event_hook="pre_call", default_on=False)
    data: Dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": KEY}]}
    assert asyncio.run(g.async_pre_call_hook(CALLER, None, data, "completion")) is data
    data["metadata"] = {"guardrails": ["govstream"]}
    with pytest.raises(HTTPException):
        asyncio.run(g.async_pre_call_hook(CALLER, None, data, "completion"))


def test_built_from_proxy_config(tmp_path: Path) -> None:
    """The proxy's config.yaml path: the class found by its dotted name and
    built from `litellm_params` as LiteLLM's guardrail registry builds it."""
    from litellm.proxy.types_utils.utils import get_instance_fn
    from litellm.types.guardrails import LitellmParams

    policy_file = tmp_path / "policy.json"
    policy_file.write_text(json.dumps({"actions": {"prompt": {"medium": "block"}}}))
    spec_file = tmp_path / "pipeline.json"
    events_file = tmp_path / "events.jsonl"
    spec_file.write_text(json.dumps({"sinks": [{"kind": "jsonl", "name": "f", "path": str(events_file)}]}))
    params = LitellmParams(
        guardrail="govstream.integrations.litellm.GovstreamGuardrail",
        mode="pre_call",
        default_on=True,
        policy_file=str(policy_file),
        pipeline_spec_file=str(spec_file),
    )
    cls = get_instance_fn(params.guardrail, config_file_path=str(tmp_path / "config.yaml"))
    extra = {
        k: v
        for k, v in params.model_dump(exclude_none=True).items()
        if k not in {"guardrail", "mode", "default_on", "stream_scope"}
    }
    g = cls(guardrail_name="govstream", event_hook=params.mode, default_on=params.default_on, **extra)
    assert isinstance(g, GovstreamGuardrail) and g.pipeline is not None
    with pytest.raises(HTTPException):
        asyncio.run(
            g.async_pre_call_hook(CALLER, None, {"messages": [{"role": "user", "content": EMAIL}]}, "completion")
        )
    g.pipeline.close(timeout=5.0)
    assert json.loads(events_file.read_text().splitlines()[0])["verdict"] == "block"


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        GovstreamGuardrail(policy=POLICY, policy_file="x.json", guardrail_name="g")
    with pytest.raises(govstream.InputError):
        GovstreamGuardrail(policy_file="/nonexistent/policy.json", guardrail_name="g")


def test_streamed_responses_api_answer_is_redacted(server: StandIn) -> None:
    server.reply = LONG_REPLY
    g = guardrail()
    data: Dict[str, Any] = {"model": "openai/gpt-test", "input": "hi", "stream": True}

    async def run() -> List[Any]:
        stream = await litellm.aresponses(api_base=server.base_url, api_key="test", **data)
        return [event async for event in g.async_post_call_streaming_iterator_hook(CALLER, stream, data)]

    events_ = asyncio.run(run())
    deltas = "".join(e.delta for e in events_ if getattr(e, "type", "") == "response.output_text.delta")
    assert deltas == POLICY.redact(LONG_REPLY)
    [done] = [e for e in events_ if getattr(e, "type", "") == "response.output_text.done"]
    assert done.text == deltas
