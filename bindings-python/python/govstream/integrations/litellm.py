"""govstream as a LiteLLM guardrail: the DLP of a LiteLLM proxy (or of
code calling the LiteLLM SDK's hooks).

`GovstreamGuardrail` is a LiteLLM custom guardrail
(`litellm.integrations.custom_guardrail.CustomGuardrail`) with LiteLLM's
native hooks:

- `pre_call` (`async_pre_call_hook`): every prompt text of the request is
  evaluated; a stopped prompt is refused with HTTP 400 before the model is
  called, a redacted one is sent on redacted;
- `during_call` (`async_moderation_hook`): the same evaluation, run beside
  the model call, which can only refuse;
- `post_call` (`async_post_call_success_hook`): the answer's texts are
  evaluated and replaced by their redacted text, or refused with HTTP 400;
  and a streamed answer (`async_post_call_streaming_iterator_hook`) is
  redacted chunk by chunk through the policy's stream redactor.

Every decision's records go to the guardrail's pipeline. In a proxy's
`config.yaml` (see docs/integrations.md):

    guardrails:
      - guardrail_name: govstream
        litellm_params:
          guardrail: govstream.integrations.litellm.GovstreamGuardrail
          mode: [pre_call, post_call]
          default_on: true
          policy_file: /etc/govstream/policy.json
          pipeline_spec_file: /etc/govstream/pipeline.json
"""

import json
from typing import Any, AsyncGenerator, Dict, Mapping, Optional

from .. import Decision, Pipeline, Policy
from ._common import BlockedByPolicy, ContextSource, Governor, describe, govern_prompt
from ._imports import require
from .openai import AnyChunks, govern_response

_custom_guardrail = require("litellm.integrations.custom_guardrail", "litellm")
_guardrail_types = require("litellm.types.guardrails", "litellm")
CustomGuardrail: Any = _custom_guardrail.CustomGuardrail
GuardrailEventHooks: Any = _guardrail_types.GuardrailEventHooks

__all__ = ["BlockedByPolicy", "GovstreamGuardrail"]


class GovstreamGuardrail(CustomGuardrail):  # type: ignore[misc]
    """A LiteLLM guardrail that evaluates prompts and answers with a
    govstream `Policy`.

    In code, give `policy` (a `Policy`) and optionally `pipeline` (a
    `Pipeline`) and `context` (the base evaluation context, or a callable
    taking the request data). From a proxy's `config.yaml`, where only
    plain values can be given, `policy_file` names a policy JSON file
    (default: `Policy.default()`) and `pipeline_spec_file` a pipeline spec
    JSON file (`Pipeline.from_spec`). `guardrail_name`, `event_hook`
    (LiteLLM's `mode`) and `default_on` are LiteLLM's.
    """

    # Run the hooks below at every lifecycle event, not LiteLLM's unified
    # `apply_guardrail` path: they rewrite whole requests and answers.
    use_native_lifecycle_hooks = True

    def __init__(
        self,
        policy: Optional[Policy] = None,
        pipeline: Optional[Pipeline] = None,
        context: ContextSource = None,
        policy_file: Optional[str] = None,
        pipeline_spec_file: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        if policy is not None and policy_file is not None:
            raise ValueError("give `policy` or `policy_file`, not both")
        if pipeline is not None and pipeline_spec_file is not None:
            raise ValueError("give `pipeline` or `pipeline_spec_file`, not both")
        if policy is None:
            policy = Policy.from_file(policy_file) if policy_file is not None else Policy.default()
        if pipeline is None and pipeline_spec_file is not None:
            with open(pipeline_spec_file, encoding="utf-8") as f:
                pipeline = Pipeline.from_spec(json.load(f))
        kwargs.setdefault(
            "supported_event_hooks",
            [GuardrailEventHooks.pre_call, GuardrailEventHooks.during_call, GuardrailEventHooks.post_call],
        )
        kwargs.setdefault("event_hook", GuardrailEventHooks.pre_call)
        super().__init__(**kwargs)
        self.governor = Governor(policy, pipeline, context if context is not None else _context_of, "litellm")

    @property
    def policy(self) -> Policy:
        """The policy every text is evaluated with."""
        return self.governor.policy

    @property
    def pipeline(self) -> Optional[Pipeline]:
        """Where the decisions' records go."""
        return self.governor.pipeline

    def _refuse(self, decision: Decision, phase: str) -> Exception:
        fastapi = require("fastapi", "litellm")
        detail = {"error": f"{phase} refused by the govstream guardrail", "govstream": describe(decision, phase)}
        exc: Exception = fastapi.HTTPException(status_code=400, detail=detail)
        return exc

    def _prompt(self, data: Dict[str, Any], user_api_key_dict: Any) -> Dict[str, Any]:
        ctx = self.governor.context_for(data, _key_context(user_api_key_dict))
        if isinstance(data.get("model"), str):
            ctx.setdefault("model", data["model"])
        try:
            body, _ = govern_prompt(self.governor, data, ctx)
        except BlockedByPolicy as stop:
            raise self._refuse(stop.decision, "prompt") from None
        return body

    async def async_pre_call_hook(
        self, user_api_key_dict: Any, cache: Any, data: Dict[str, Any], call_type: Any
    ) -> Optional[Dict[str, Any]]:
        """Evaluates the prompt; returns the request to send (redacted) or
        raises HTTP 400 when the policy stops it."""
        if self.should_run_guardrail(data=data, event_type=GuardrailEventHooks.pre_call) is not True:
            return data
        body = self._prompt(data, user_api_key_dict)
        # LiteLLM goes on with the dict it handed over in some paths: keep
        # it in step with the one returned.
        data.update(body)
        return data

    async def async_moderation_hook(self, data: Dict[str, Any], user_api_key_dict: Any, call_type: Any) -> None:
        """Evaluates the prompt beside the model call; raises HTTP 400 when
        the policy stops it (a moderation hook cannot rewrite)."""
        if self.should_run_guardrail(data=data, event_type=GuardrailEventHooks.during_call) is not True:
            return
        self._prompt(data, user_api_key_dict)

    def _response_context(self, data: Mapping[str, Any], user_api_key_dict: Any) -> Dict[str, Any]:
        ctx = self.governor.context_for(data, _key_context(user_api_key_dict))
        if isinstance(data.get("model"), str):
            ctx.setdefault("model", data["model"])
        return ctx

    async def async_post_call_success_hook(self, data: Dict[str, Any], user_api_key_dict: Any, response: Any) -> Any:
        """Evaluates the answer's texts and replaces them with their
        redacted text; raises HTTP 400 when the policy stops it."""
        if self.should_run_guardrail(data=data, event_type=GuardrailEventHooks.post_call) is not True:
            return response
        try:
            govern_response(self.governor, response, self._response_context(data, user_api_key_dict))
        except BlockedByPolicy as stop:
            raise self._refuse(stop.decision, "response") from None
        return response

    async def async_post_call_streaming_iterator_hook(
        self, user_api_key_dict: Any, response: Any, request_data: Dict[str, Any]
    ) -> AsyncGenerator[Any, None]:
        """Redacts a streamed answer chunk by chunk; raises HTTP 400 after
        the (already redacted) chunks when the policy stops the answer."""
        if self.should_run_guardrail(data=request_data, event_type=GuardrailEventHooks.post_call) is not True:
            async for item in response:
                yield item
            return
        chunks = AnyChunks(self.governor, self._response_context(request_data, user_api_key_dict))
        async for item in response:
            for out in chunks.on_chunk(item):
                yield out
        for out in chunks.on_end():
            yield out
        stopped = chunks.redactors.stopped()
        if stopped is not None:
            raise self._refuse(stopped, "response")


def _context_of(data: Mapping[str, Any]) -> Dict[str, Any]:
    """The evaluation context LiteLLM's request data gives: the `user`
    field and the request's `litellm_call_id`."""
    ctx: Dict[str, Any] = {}
    if isinstance(data.get("user"), str):
        ctx["user_id"] = data["user"]
    if isinstance(data.get("litellm_call_id"), str):
        ctx["request_id"] = data["litellm_call_id"]
    return ctx


def _key_context(user_api_key_dict: Any) -> Dict[str, Any]:
    """The proxy's caller (its `UserAPIKeyAuth`) as context: its user, and
    its team and key alias in the event's metadata."""
    ctx: Dict[str, Any] = {}
    user_id = getattr(user_api_key_dict, "user_id", None)
    if isinstance(user_id, str):
        ctx["user_id"] = user_id
    email = getattr(user_api_key_dict, "user_email", None)
    if isinstance(email, str):
        ctx["user_email"] = email
    meta = {
        name: value
        for name in ("team_id", "key_alias", "org_id")
        if isinstance(value := getattr(user_api_key_dict, name, None), str)
    }
    if meta:
        ctx["metadata"] = {"litellm": meta}
    return ctx
