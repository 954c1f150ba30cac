"""Writes cases.jsonl: chat requests with their prompt-token counts from the Python `tiktoken`
package (OpenAI's reference tokenizer) and OpenAI's chat accounting (3 tokens per message, 1
per name, 3 to prime the reply, and the cookbook's function-definition overhead for tools).

Run by hand, not in CI (tiktoken downloads its BPE files on first use):
    python -m venv /tmp/tt && /tmp/tt/bin/pip install -r testdata/token_estimate/requirements.txt
    /tmp/tt/bin/python testdata/token_estimate/generate.py
Offline, set TIKTOKEN_BPE_DIR to a folder holding o200k_base.tiktoken and cl100k_base.tiktoken
(for example the assets/ folder of the tiktoken-rs crate source); tiktoken still checks each
file against the SHA-256 it pins, so only the genuine files are accepted.
"""

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

BLOB = "https://openaipublic.blob.core.windows.net/encodings/"


def offline_cache() -> None:
    """Seeds tiktoken's cache (files named by the SHA-1 of their URL) from TIKTOKEN_BPE_DIR."""
    source = os.environ.get("TIKTOKEN_BPE_DIR")
    if not source:
        return
    cache = Path(tempfile.mkdtemp(prefix="tiktoken-cache-"))
    for name in ("o200k_base", "cl100k_base"):
        url = f"{BLOB}{name}.tiktoken"
        shutil.copy(Path(source) / f"{name}.tiktoken", cache / hashlib.sha1(url.encode()).hexdigest())
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)


offline_cache()
import tiktoken  # noqa: E402  (after the cache variable is set)


def encoding_for(model: str) -> str:
    name = model.rsplit("/", 1)[-1]
    o200k = ("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o")
    cl100k = ("gpt-4", "gpt-3.5", "text-embedding-3", "text-embedding-ada-002")
    if name.startswith(o200k):
        return "o200k_base"
    if name.startswith(cl100k):
        return "cl100k_base"
    return "o200k_base"


def count_value(enc, value) -> int:
    if isinstance(value, str):
        return len(enc.encode_ordinary(value))
    if isinstance(value, list):
        total = 0
        for item in value:
            if "text" in item:
                total += len(enc.encode_ordinary(item["text"]))
            fn = item.get("function") or {}
            for key in ("name", "arguments"):
                if key in fn:
                    total += len(enc.encode_ordinary(fn[key]))
        return total
    return 0


def count_tools(enc, tools, o200k: bool) -> int:
    func_init, prop_init, prop_key, enum_init, enum_item, func_end = (7 if o200k else 10), 3, 3, -3, 3, 12
    total = 0
    for tool in tools:
        fn = tool["function"]
        total += func_init
        desc = fn.get("description", "")
        desc = desc[:-1] if desc.endswith(".") else desc
        total += len(enc.encode_ordinary(f"{fn['name']}:{desc}"))
        props = fn.get("parameters", {}).get("properties", {})
        if props:
            total += prop_init
            for key, prop in props.items():
                total += prop_key
                if "enum" in prop:
                    total += enum_init
                    for item in prop["enum"]:
                        total += enum_item + len(enc.encode_ordinary(item))
                pdesc = prop.get("description", "")
                pdesc = pdesc[:-1] if pdesc.endswith(".") else pdesc
                total += len(enc.encode_ordinary(f"{key}:{prop.get('type', '')}:{pdesc}"))
    return total + func_end


def count(request: dict) -> tuple[str, int]:
    name = encoding_for(request["model"])
    enc = tiktoken.get_encoding(name)
    total = 3
    for message in request["messages"]:
        total += 3
        for key, value in message.items():
            total += count_value(enc, value)
            if key == "name":
                total += 1
    if request.get("tools"):
        total += count_tools(enc, request["tools"], name == "o200k_base")
    return name, total


TEXTS = [
    "Hello!",
    "What is the capital of France?",
    "Explain the difference between TCP and UDP in two sentences.",
    "Write a haiku about the sea at night.",
    "Summarise the plot of Hamlet for a ten-year-old, in under 100 words, without spoilers about the ending.",
    "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\nprint([fib(i) for i in range(20)])",
    "SELECT u.id, u.email, COUNT(o.id) AS orders FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.id HAVING COUNT(o.id) > 3;",
    '{"name": "widget", "price": 12.5, "tags": ["blue", "small"], "stock": {"eu": 10, "us": 0}}',
    "Translate to German: The quick brown fox jumps over the lazy dog.",
    "Je voudrais réserver une table pour deux personnes ce soir à vingt heures, près de la fenêtre si possible.",
    "東京の天気はどうですか？明日は雨が降りますか。",
    "Привет! Как дела? Расскажи мне о своём любимом городе.",
    "مرحبا، كيف يمكنني مساعدتك اليوم؟",
    "🚀🔥 Launch day! 🎉 Let's go 💪✨",
    "3.14159265358979323846264338327950288419716939937510 is pi to fifty digits; 2.71828 is e.",
    "The year 2024 had 366 days; 1,000,000 seconds is about 11.57 days.",
    "<html><body><h1>Title</h1><p class=\"intro\">Some <b>bold</b> text.</p></body></html>",
    "git commit -m 'fix: handle EOF in parser' && git push origin main --force-with-lease",
    "A" * 300,
    "lorem ipsum dolor sit amet " * 40,
    "In 1905, Albert Einstein published four groundbreaking papers. These outlined the theory of the photoelectric effect, explained Brownian motion, introduced special relativity, and demonstrated mass-energy equivalence.",
    "Can you list the first twenty prime numbers, separated by commas, and then their sum?",
    "You are a helpful assistant that answers concisely and cites sources when possible.",
    "<|endoftext|> is a special token name written as plain text here.",
    "Tabs\tand\nnewlines\r\nand    multiple   spaces.",
]

LONG = (
    "The gateway reads each response's usage and computes costs. "
    "Budgets are reserved before the call from an estimate of the prompt and reconciled at the end. "
) * 30

MODELS = ["gpt-4o-mini", "gpt-4o", "gpt-4.1", "gpt-5", "o3-mini", "o4-mini", "gpt-4", "gpt-3.5-turbo",
          "gpt-4-turbo", "claude-3-5-sonnet", "gemini-2.0-flash", "openai/gpt-4o"]

WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather in a city.",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "City name, e.g. Paris."},
        "unit": {"type": "string", "description": "Temperature unit", "enum": ["celsius", "fahrenheit"]}},
        "required": ["city"]}}}
SEARCH_TOOL = {"type": "function", "function": {
    "name": "search_docs", "description": "Search the product documentation and return the best passages",
    "parameters": {"type": "object", "properties": {
        "query": {"type": "string", "description": "What to look for."},
        "limit": {"type": "integer", "description": "How many passages."}}}}}
NOARGS_TOOL = {"type": "function", "function": {"name": "now", "description": "Current time.",
                                                 "parameters": {"type": "object", "properties": {}}}}


def cases():
    for i, text in enumerate(TEXTS):
        model = MODELS[i % len(MODELS)]
        yield {"model": model, "messages": [{"role": "user", "content": text}]}
    for i, text in enumerate(TEXTS[:12]):
        model = MODELS[(i + 5) % len(MODELS)]
        yield {"model": model, "messages": [
            {"role": "system", "content": TEXTS[22]},
            {"role": "user", "content": text, "name": "alice"},
        ]}
    for model in MODELS[:6]:
        yield {"model": model, "messages": [
            {"role": "system", "content": "Answer in JSON."},
            {"role": "user", "content": TEXTS[1]},
            {"role": "assistant", "content": '{"answer": "Paris"}'},
            {"role": "user", "content": [{"type": "text", "text": TEXTS[8]}, {"type": "text", "text": TEXTS[9]}]},
        ]}
    for i, tools in enumerate([[WEATHER_TOOL], [WEATHER_TOOL, SEARCH_TOOL], [SEARCH_TOOL, NOARGS_TOOL], [NOARGS_TOOL]]):
        for model in ("gpt-4o-mini", "gpt-4"):
            yield {"model": model, "messages": [{"role": "user", "content": TEXTS[i + 1]}], "tools": tools}
    yield {"model": "gpt-4o", "tools": [WEATHER_TOOL], "messages": [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {
            "name": "get_weather", "arguments": '{"city": "Paris", "unit": "celsius"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": '{"temp": 18, "sky": "cloudy"}'},
    ]}
    for model in ("gpt-4o-mini", "gpt-4", "o3"):
        yield {"model": model, "messages": [{"role": "system", "content": TEXTS[22]},
                                           {"role": "user", "content": LONG}]}


def main() -> None:
    out = Path(__file__).with_name("cases.jsonl")
    lines = []
    for request in cases():
        encoding, tokens = count(request)
        lines.append(json.dumps({"encoding": encoding, "tokens": tokens, "request": request}, ensure_ascii=False))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} cases to {out} with tiktoken {tiktoken.__version__}")


if __name__ == "__main__":
    main()
