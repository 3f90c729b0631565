"""Drives a pouw node's OpenAI-compatible API with the official `openai` package (issue 6, item 8).

Usage: python openai_check.py BASE_URL MODEL
Exits 0 when every check passes; prints one line per check. Run by Tests/PoUWTestnetTests.
"""
import sys

import openai


def main() -> int:
    base_url, model = sys.argv[1], sys.argv[2]
    client = openai.OpenAI(base_url=base_url + "/v1", api_key="pouw-local", max_retries=0, timeout=120)

    models = [m.id for m in client.models.list().data]
    assert model in models, f"{model} not in {models}"
    print("models ok:", models)

    chat = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "Name a color."}], max_tokens=8, temperature=0,
    )
    text = chat.choices[0].message.content
    assert chat.choices[0].finish_reason in ("stop", "length"), chat.choices[0].finish_reason
    assert chat.usage.completion_tokens >= 1 and text, chat
    print("chat ok:", repr(text), chat.usage.completion_tokens, "tokens")

    pieces = []
    finish = None
    for chunk in client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "Name a color."}], max_tokens=8, temperature=0,
        stream=True,
    ):
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
            finish = chunk.choices[0].finish_reason or finish
    streamed = "".join(pieces)
    assert streamed == text, f"streamed {streamed!r} != whole {text!r}"
    assert finish in ("stop", "length"), finish
    print("stream ok:", repr(streamed))

    with_logprobs = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "Say yes."}], max_tokens=4, temperature=0,
        logprobs=True, top_logprobs=3,
    )
    content = with_logprobs.choices[0].logprobs.content
    assert content and all(len(t.top_logprobs) == 3 and t.logprob <= 0 for t in content), content
    print("logprobs ok:", [(t.token, round(t.logprob, 3)) for t in content])

    try:
        client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": "x"}], max_tokens=4, temperature=5,
        )
        print("error case FAILED: temperature 5 was accepted")
        return 1
    except openai.BadRequestError as error:
        assert "temperature" in str(error), str(error)
        print("error ok: 400", error.message if hasattr(error, "message") else error)

    try:
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "x"}])
        print("error case FAILED: an unknown model was accepted")
        return 1
    except openai.NotFoundError:
        print("error ok: 404 for an unknown model")
    return 0


if __name__ == "__main__":
    sys.exit(main())
