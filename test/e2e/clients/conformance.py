"""Python clients through Coalmine (issue 17): openai and anthropic, streaming and not.

Run by test/e2e/python-clients.test.ts with the proxy's URL, the pinned (quarantined) model
and the prompts; prints one JSON object per case: {"case", "kind", "error_class", "message",
"text", "attempts"}. The test judges them; this script only reports what the clients saw.
"""
import json
import sys

import anthropic
import openai

try:  # the clients' HTTP library: httpx2 in their current lines, httpx before
    import httpx2 as httpx
except ImportError:
    import httpx

base, pinned, block_prompt, redact_prompt = sys.argv[1:5]
attempts = {"n": 0}


def count(_request):
    attempts["n"] += 1


def http():
    return httpx.Client(event_hooks={"request": [count]})


oa = openai.OpenAI(base_url=f"{base}/v1", api_key="sk-test", http_client=http())
an = anthropic.Anthropic(base_url=f"{base}/anthropic", api_key="sk-ant-client", http_client=http())


def oa_chat(prompt, model="gpt-4o-mini"):
    r = oa.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}])
    return r.choices[0].message.content


def oa_chat_stream(prompt, model="gpt-4o-mini"):
    stream = oa.chat.completions.create(
        model=model, messages=[{"role": "user", "content": prompt}], stream=True
    )
    return "".join((c.choices[0].delta.content or "") for c in stream if c.choices)


def oa_responses(prompt, model="gpt-4o-mini"):
    return oa.responses.create(model=model, input=prompt).output_text


def oa_responses_stream(prompt, model="gpt-4o-mini"):
    with oa.responses.stream(model=model, input=prompt) as s:
        return s.get_final_response().output_text


def an_messages(prompt, model="claude-sonnet-4-5"):
    m = an.messages.create(model=model, max_tokens=256, messages=[{"role": "user", "content": prompt}])
    return "".join(b.text for b in m.content if b.type == "text")


def an_messages_stream(prompt, model="claude-sonnet-4-5"):
    with an.messages.stream(
        model=model, max_tokens=256, messages=[{"role": "user", "content": prompt}]
    ) as s:
        m = s.get_final_message()
    return "".join(b.text for b in m.content if b.type == "text")


CALLS = {
    "openai chat": oa_chat,
    "openai chat, streaming": oa_chat_stream,
    "openai responses": oa_responses,
    "openai responses, streaming": oa_responses_stream,
    "anthropic messages": an_messages,
    "anthropic messages, streaming": an_messages_stream,
}

for name, call in CALLS.items():
    for kind, args in (
        ("block", (block_prompt,)),
        ("redact", (redact_prompt,)),
        ("quarantine", ("hi", pinned)),
    ):
        attempts["n"] = 0
        out = {"case": name, "kind": kind, "error_class": None, "message": None, "text": None}
        try:
            out["text"] = call(*args)
        except Exception as e:  # the test judges the class and message
            out["error_class"] = f"{type(e).__module__}.{type(e).__name__}"
            out["message"] = str(e)
            out["api_error"] = isinstance(e, (openai.APIError, anthropic.APIError))
        out["attempts"] = attempts["n"]
        print(json.dumps(out), flush=True)
