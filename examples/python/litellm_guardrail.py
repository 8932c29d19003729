"""govstream as a LiteLLM guardrail. A LiteLLM proxy loads
`GovstreamGuardrail` from its config.yaml (docs/integrations.md) and calls
its hooks around every model call; this example calls the same hooks the
way the proxy does, around `litellm.acompletion` against a stand-in
OpenAI-compatible server on loopback: no network, no key.

    python examples/python/litellm_guardrail.py
"""

import asyncio
import os
from typing import Any, Dict

# Use LiteLLM's bundled model price list instead of fetching it.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm  # noqa: E402
from fastapi import HTTPException  # noqa: E402
from litellm.proxy._types import UserAPIKeyAuth  # noqa: E402
from openai_standin import StandIn  # noqa: E402

import govstream  # noqa: E402
from govstream.integrations.litellm import GovstreamGuardrail  # noqa: E402

POLICY = govstream.Policy.from_dict(
    {"actions": {"prompt": {"medium": "redact", "critical": "block"}, "response": {"medium": "redact"}}}
)


async def proxied_call(guardrail: GovstreamGuardrail, server: StandIn, data: Dict[str, Any]) -> str:
    """What the proxy does for one request: pre-call hook, model call,
    post-call hook (or the streaming hook for `stream: true`)."""
    caller = UserAPIKeyAuth(user_id="u_42", team_id="support")
    data = await guardrail.async_pre_call_hook(caller, None, data, "acompletion") or data
    response: Any = await litellm.acompletion(api_base=server.base_url, api_key="not-used", **data)
    if not data.get("stream"):
        response = await guardrail.async_post_call_success_hook(data, caller, response)
        return str(response.choices[0].message.content)
    shown = ""
    async for chunk in guardrail.async_post_call_streaming_iterator_hook(caller, response, data):
        shown += "".join(choice.delta.content or "" for choice in chunk.choices)
    return shown


async def main() -> None:
    with StandIn() as server, govstream.Pipeline([govstream.Sink.memory("events")]) as pipeline:
        guardrail = GovstreamGuardrail(
            policy=POLICY,
            pipeline=pipeline,
            guardrail_name="govstream",
            event_hook=["pre_call", "post_call"],
            default_on=True,
        )
        model = "openai/gpt-4o-mini"
        answer = await proxied_call(
            guardrail, server, {"model": model, "messages": [{"role": "user", "content": "Email jane.doe@example.com"}]}
        )
        print("sent:    ", server.requests[-1]["messages"][0]["content"])
        print("answer:  ", answer)
        try:
            await proxied_call(
                guardrail, server, {"model": model, "messages": [{"role": "user", "content": "AKIAIOSFODNN7EXAMPLE"}]}
            )
            raise AssertionError("the key was sent")
        except HTTPException as refused:
            # The proxy answers the client with this status and detail.
            detail: Any = refused.detail
            print("refused: ", refused.status_code, detail["govstream"]["reason_code"])
        server.reply = "Use the key AKIAIOSFODNN7EXAMPLE from the vault."
        shown = await proxied_call(
            guardrail, server, {"model": model, "stream": True, "messages": [{"role": "user", "content": "Which key?"}]}
        )
        print("streamed:", shown)
        assert shown == POLICY.redact(server.reply)
        pipeline.flush(timeout=5.0)
        print("recorded:", [r["verdict"] for r in pipeline.memory_records("events") if r.get("record_type") == "event"])


if __name__ == "__main__":
    asyncio.run(main())
