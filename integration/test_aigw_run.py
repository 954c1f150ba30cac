"""The official `openai` Python client against `aigw run` with its default config (model
`demo` served by the bundled fake backend)."""

import openai

from support import paths
from support.procs import Proc, free_port


def test_openai_client_against_aigw_run(module_kind, tmp_path):
    listen, admin = free_port(), free_port()
    argv = [paths.aigw(), "run", "--module", module_kind, "--listen", f"127.0.0.1:{listen}",
            "--admin", f"127.0.0.1:{admin}", "--state-dir", tmp_path / "state"]
    env = {"ENVOY_BIN": str(paths.envoy_bin()), "OPENAI_API_KEY": ""}
    proc = Proc("aigw run", argv, tmp_path / "aigw-run.log", env=env)
    try:
        proc.wait_http_ok(f"http://127.0.0.1:{admin}/ready", timeout=30)
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{listen}/v1",
                               api_key="sk-test-client-zzzz", max_retries=0, timeout=15)

        chat = client.chat.completions.create(
            model="demo", messages=[{"role": "user", "content": "hello from the openai client"}])
        assert chat.choices[0].message.content
        assert chat.usage.prompt_tokens > 0
        assert chat.usage.total_tokens == chat.usage.prompt_tokens + chat.usage.completion_tokens

        chunks = list(client.chat.completions.create(
            model="demo", messages=[{"role": "user", "content": "stream to the openai client"}],
            stream=True, stream_options={"include_usage": True}))
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert text
        usage = chunks[-1].usage
        assert usage is not None and usage.completion_tokens > 0
        assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    finally:
        rc = proc.stop()
    assert rc == 0, f"aigw run exited {rc} on SIGINT:\n{proc.tail()}"
