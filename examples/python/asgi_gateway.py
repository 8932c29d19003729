"""A FastAPI gateway that takes OpenAI-shaped requests over HTTP, governed
by `GovstreamMiddleware`: prompts are evaluated before the route reads
them (refused with a 400 in the OpenAI error shape, or rewritten), and the
answers, streamed ones included, are redacted on the way out. The gateway
forwards to a stand-in OpenAI-compatible model server with the OpenAI
SDK, and the OpenAI SDK calls the gateway. Everything runs on loopback
(uvicorn): no network.

    python examples/python/asgi_gateway.py
"""

import socket
import threading
import time
from typing import Any, AsyncIterator, Dict

import openai
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse
from openai_standin import StandIn, last_user_text

import govstream
from govstream.integrations.asgi import GovstreamMiddleware

POLICY = govstream.Policy.from_dict(
    {"actions": {"prompt": {"medium": "redact", "critical": "block"}, "response": {"medium": "redact"}}}
)
MODEL_REPLY = "Ask ops@acme.example; the staging key is AKIAIOSFODNN7EXAMPLE."


def build_gateway(upstream: openai.AsyncOpenAI, pipeline: govstream.Pipeline) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Any:
        # The body as the middleware passed it on: already governed.
        body: Dict[str, Any] = await request.json()
        print("model got:", last_user_text(body))
        if not body.get("stream"):
            return (await upstream.chat.completions.create(**body)).model_dump(exclude_none=True)
        stream = await upstream.chat.completions.create(**body)

        async def relay() -> AsyncIterator[str]:
            async for chunk in stream:
                yield f"data: {chunk.model_dump_json(exclude_none=True)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(relay(), media_type="text/event-stream")

    app.add_middleware(
        GovstreamMiddleware,
        policy=POLICY,
        pipeline=pipeline,
        context=lambda scope, body: {"client": "acme-gateway", "user_id": body.get("user", "anonymous")},
        redact_responses=True,
    )
    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    with StandIn(reply=MODEL_REPLY) as model, govstream.Pipeline([govstream.Sink.memory("events")]) as pipeline:
        upstream = openai.AsyncOpenAI(base_url=model.base_url, api_key="not-used", max_retries=0)
        port = free_port()
        gateway = build_gateway(upstream, pipeline)
        server = uvicorn.Server(uvicorn.Config(gateway, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="not-used", max_retries=0)
        try:
            reply = client.chat.completions.create(
                model="m", user="u_42", messages=[{"role": "user", "content": "Write to jane.doe@example.com"}]
            )
            print("answer:   ", reply.choices[0].message.content)
            try:
                client.chat.completions.create(
                    model="m", messages=[{"role": "user", "content": "AKIAIOSFODNN7EXAMPLE"}]
                )
                raise AssertionError("the key reached the model")
            except openai.BadRequestError as refused:
                print("refused:  ", refused.status_code, refused.body)
            shown = ""
            for chunk in client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "Who do I ask?"}], stream=True
            ):
                shown += "".join(choice.delta.content or "" for choice in chunk.choices)
            print("streamed: ", shown)
            assert shown == POLICY.redact(MODEL_REPLY)
        finally:
            server.should_exit = True
            thread.join()
        pipeline.flush(timeout=5.0)
        verdicts = [
            (r["phase"], r["verdict"]) for r in pipeline.memory_records("events") if r.get("record_type") == "event"
        ]
        print("recorded: ", verdicts)
        assert ("prompt", "block") in verdicts and ("response", "redact") in verdicts


if __name__ == "__main__":
    main()
