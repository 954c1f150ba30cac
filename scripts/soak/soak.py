"""Soak test of one artifact kind: steady mixed traffic (plain and streamed chat, to an
OpenAI backend and a translated Anthropic backend) through a real Envoy with the gateway
filters for MINUTES, Envoy's RSS sampled every 10 s. Prints the RSS at the start, after one
minute and at the end, and exits 1 when the RSS grew by more than 10% after the first
minute (or any request failed). Run by scripts/soak.sh."""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

KEYS = {"openai": "sk-soak-fake-openai-0000", "anthropic": "sk-soak-fake-anthropic-0000"}
SAMPLE_EVERY = 10.0
MAX_GROWTH = 0.10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def start_upstream(target: Path, work: Path) -> tuple:
    log = open(work / "testupstream.log", "w")
    argv = [str(target / "release/testupstream"), "--listen", "127.0.0.1:0"]
    for backend, key in KEYS.items():
        argv += ["--backend", f"{backend}={key}"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True)
    line = proc.stdout.readline()
    m = re.match(r"listening on [0-9.]+:(\d+)", line)
    if not m:
        sys.exit(f"testupstream did not start: {line!r}")
    return proc, int(m.group(1))


def start_envoy(kind: str, target: Path, work: Path, upstream_port: int) -> tuple:
    listen, admin = free_port(), free_port()
    template = (Path(__file__).parent / "gateway.yaml").read_text()
    config = work / f"{kind}-gateway.yaml"
    config.write_text(template.replace("@LISTEN_PORT@", str(listen))
                      .replace("@ADMIN_PORT@", str(admin)).replace("@MODULE@", kind)
                      .replace("@UPSTREAM_PORT@", str(upstream_port)))
    bootstrap = work / f"{kind}-envoy.yaml"
    modules = target / ("release" if kind == "native" else "wasm32-wasip1/release")
    with open(bootstrap, "w") as out:
        subprocess.run([str(target / "release/aigw"), "translate", str(config), "--module", kind,
                        "--modules-dir", str(modules), "--access-log",
                        str(work / f"{kind}-access.log")], stdout=out, check=True)
    env = dict(os.environ, AIGW_SOAK_OPENAI_KEY=KEYS["openai"],
               AIGW_SOAK_ANTHROPIC_KEY=KEYS["anthropic"],
               ENVOY_DYNAMIC_MODULES_SEARCH_PATH=str(target / "release"))
    log = open(work / f"{kind}-envoy.log", "w")
    proc = subprocess.Popen([os.environ["ENVOY_BIN"], "-c", str(bootstrap), "--concurrency", "1",
                             "--disable-hot-restart", "--log-level", "warn"],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{admin}/ready", timeout=1).status_code == 200:
                return proc, f"http://127.0.0.1:{listen}"
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    sys.exit(f"Envoy ({kind}) did not become ready; log: {work / f'{kind}-envoy.log'}")


REQUESTS = [  # (model, stream)
    ("soak-openai", False), ("soak-openai", True), ("soak-claude", False), ("soak-claude", True),
]


def one_request(client: httpx.Client, i: int) -> str | None:
    """Sends request number `i`; returns a problem, or None."""
    model, stream = REQUESTS[i % len(REQUESTS)]
    body = {"model": model, "stream": stream,
            "messages": [{"role": "user", "content": f"soak request {i} " + "word " * (i % 40)}]}
    if stream:
        body["stream_options"] = {"include_usage": True}
        with client.stream("POST", "/v1/chat/completions", json=body) as r:
            data = b"".join(r.iter_raw())
            if r.status_code != 200 or not data.rstrip().endswith(b"data: [DONE]"):
                return f"{model} stream: {r.status_code} {data[-200:]!r}"
        return None
    r = client.post("/v1/chat/completions", json=body)
    if r.status_code != 200 or "choices" not in r.json():
        return f"{model}: {r.status_code} {r.text[:200]}"
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["native", "wasm"])
    parser.add_argument("minutes", type=float)
    parser.add_argument("--rate", type=float, default=20.0, help="requests per second")
    args = parser.parse_args()
    target = Path(os.environ["CARGO_TARGET_DIR"])
    work = Path(tempfile.mkdtemp(prefix=f"aigw-soak-{args.kind}-"))
    upstream, upstream_port = start_upstream(target, work)
    envoy, url = start_envoy(args.kind, target, work, upstream_port)
    samples, problems, sent = [], [], 0
    stop = threading.Event()

    def sample():
        start = time.monotonic()
        while not stop.is_set():
            samples.append((time.monotonic() - start, rss_kib(envoy.pid)))
            stop.wait(SAMPLE_EVERY)

    sampler = threading.Thread(target=sample, daemon=True)
    try:
        with httpx.Client(base_url=url, timeout=30.0) as client:
            sampler.start()
            start = time.monotonic()
            end = start + args.minutes * 60
            while time.monotonic() < end:
                problem = one_request(client, sent)
                sent += 1
                if problem:
                    problems.append(problem)
                delay = start + sent / args.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
        stop.set()
        sampler.join()
        samples.append((time.monotonic() - start, rss_kib(envoy.pid)))
    finally:
        envoy.terminate()
        upstream.terminate()
    first = samples[0][1]
    minute = next((rss for t, rss in samples if t >= 60), samples[-1][1])
    last = samples[-1][1]
    growth = (last - minute) / minute
    print(f"soak {args.kind}: {sent} requests in {args.minutes:g} min ({sent / (args.minutes * 60):.1f}/s), "
          f"{len(problems)} failed; logs in {work}")
    print(f"soak {args.kind}: Envoy RSS start {first} KiB, after 1 min {minute} KiB, "
          f"end {last} KiB (growth after the first minute {growth:+.1%}, bound {MAX_GROWTH:.0%})")
    print(f"soak {args.kind}: samples (s, KiB): " + " ".join(f"{t:.0f}:{r}" for t, r in samples))
    for p in problems[:5]:
        print(f"soak {args.kind}: failed: {p}")
    if problems or growth > MAX_GROWTH:
        sys.exit(1)


if __name__ == "__main__":
    main()
