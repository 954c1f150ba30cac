"""Child processes of the suite: start with output captured to a file, wait for readiness,
stop with SIGINT (then SIGKILL), and show the log tail when something goes wrong."""

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A child process whose stdout and stderr go to `log`."""

    def __init__(self, name: str, argv: list, log: Path, env: dict | None = None):
        self.name = name
        self.log = log
        self._log_file = open(log, "wb")
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.popen = subprocess.Popen(
            [str(a) for a in argv],
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=full_env,
        )

    def tail(self, lines: int = 30) -> str:
        """The last lines of the process output."""
        text = self.log.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def fail(self, why: str):
        """Fails the test with `why` and the process's log tail."""
        pytest.fail(f"{self.name}: {why}\n--- {self.log} (tail) ---\n{self.tail()}", pytrace=False)

    def wait_for_output(self, pattern: str, timeout: float = 15.0) -> re.Match:
        """Waits until the output matches `pattern`; fails if the process exits first."""
        regex = re.compile(pattern, re.MULTILINE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = regex.search(self.log.read_text(errors="replace"))
            if m:
                return m
            if self.popen.poll() is not None:
                self.fail(f"exited with {self.popen.returncode} before printing /{pattern}/")
            time.sleep(0.05)
        self.fail(f"did not print /{pattern}/ within {timeout:.0f} s")

    def wait_http_ok(self, url: str, timeout: float = 30.0):
        """Waits until GET `url` answers 200; fails if the process exits first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                self.fail(f"exited with {self.popen.returncode} before {url} answered")
            try:
                if httpx.get(url, timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.fail(f"{url} did not answer 200 within {timeout:.0f} s")

    def stop(self, timeout: float = 10.0) -> int:
        """Sends SIGINT, waits, kills if needed; returns the exit code."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._log_file.close()
        return self.popen.returncode
