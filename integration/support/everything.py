"""`@modelcontextprotocol/server-everything` from npm (pinned in integration/npm, installed by
scripts/setup.sh), started over Streamable HTTP on a free port."""

import shutil
from pathlib import Path

import pytest

from . import paths
from .mcp_gateway import wait_listening
from .procs import Proc, free_port

PACKAGE_DIR = paths.REPO_ROOT / "integration" / "npm"
ENTRY = PACKAGE_DIR / "node_modules" / "@modelcontextprotocol" / "server-everything" / "dist" / "index.js"


def start(workdir: Path) -> tuple[Proc, int]:
    """Starts server-everything in `streamableHttp` mode; returns it and its port. A missing
    install fails the test (never skips it)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: install Node.js 20+ (scripts/setup.sh needs npm)", pytrace=False)
    if not ENTRY.is_file():
        pytest.fail(f"{ENTRY} missing: run scripts/setup.sh (npm ci --prefix integration/npm)",
                    pytrace=False)
    port = free_port()
    proc = Proc("server-everything", [node, ENTRY, "streamableHttp"],
                workdir / "server-everything.log", env={"PORT": str(port)})
    wait_listening(proc, port)
    return proc, port
