"""Request bodies the suite sends and what testupstream deterministically answers to them."""

import uuid

# testupstream counts prompt tokens as words plus this much per chat message.
PER_MESSAGE_TOKENS = 3


def chat(model: str, text: str, stream: bool = False, include_usage: bool | None = None) -> dict:
    """A one-message chat completion request."""
    body = {"model": model, "messages": [{"role": "user", "content": text}]}
    if stream:
        body["stream"] = True
    if include_usage is not None:
        body["stream_options"] = {"include_usage": include_usage}
    return body


def reply(backend_id: str, text: str) -> str:
    """testupstream's reply text: it names the backend and echoes the first five words."""
    return f"Hello from {backend_id}! You said: {' '.join(text.split()[:5])}"


def chat_usage(text: str, backend_id: str) -> dict:
    """The usage testupstream reports for `chat(_, text)` answered by `backend_id`."""
    prompt = len(text.split()) + PER_MESSAGE_TOKENS
    completion = len(reply(backend_id, text).split())
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion}


def request_id() -> str:
    """A fresh x-request-id to find a request's access log line."""
    return str(uuid.uuid4())
