"""Framework integrations: govern the calls a Python AI gateway makes.

Each lives in its own module and imports its framework only when used, so
`import govstream.integrations` needs none of them:

- `govstream.integrations.openai.guard(client, policy, pipeline=...)`:
  the OpenAI SDK, sync and async (`pip install 'govstream[openai]'`);
- `govstream.integrations.litellm.GovstreamGuardrail`: a LiteLLM custom
  guardrail, for the LiteLLM proxy or SDK (`pip install 'govstream[litellm]'`);
- `govstream.integrations.asgi.GovstreamMiddleware`: ASGI middleware for
  FastAPI and Starlette services (`pip install 'govstream[asgi]'`).

All of them raise or report `BlockedByPolicy` when a verdict says to send
nothing, and emit every decision's records to the pipeline given.
"""

from ._common import BlockedByPolicy, prompt_paths

__all__ = ["BlockedByPolicy", "prompt_paths"]
