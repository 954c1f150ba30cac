#!/usr/bin/env bash
# Everything CI checks: setup (release artifacts), formatting, clippy (host, and wasm32 for
# the wasm-only code of the host and filters), unit tests, a lint of the Python suite, and the
# integration suite against the real Envoy once per artifact kind (native, wasm) plus the
# native-vs-wasm equivalence run. Runs every check even after a failure, prints a summary,
# and exits non-zero when any check failed.
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

# One pass over a clean tree gains nothing from incremental state, which costs gigabytes of
# disk next to the debug artifacts.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

results=()
failed=0

# Runs one named check, recording its outcome and duration.
check() {
    local name="$1"
    shift
    step "$name"
    local start=$SECONDS rc=0
    "$@" || rc=$?
    local took=$((SECONDS - start))
    if [[ $rc -eq 0 ]]; then
        results+=("PASS  ${took}s  $name")
    else
        results+=("FAIL  ${took}s  $name (exit $rc)")
        failed=1
    fi
}

pytest_kind() {
    AIGW_MODULE="$1" "$VENV/bin/python" -m pytest integration -m "not equivalence" \
        -p no:cacheprovider -q
}

pytest_equivalence() {
    "$VENV/bin/python" -m pytest integration -m equivalence -p no:cacheprovider -q
}

# Prints the summary and exits non-zero when any check failed.
finish() {
    step "Summary"
    local r
    for r in "${results[@]}"; do note "$r"; done
    if [[ $failed -ne 0 ]]; then
        note "FAILED"
        exit 1
    fi
    note "all checks passed"
}

check "setup (release artifacts, Envoy)" "$REPO_ROOT/scripts/setup.sh"
# Without the artifacts and Envoy nothing else is meaningful.
[[ $failed -eq 0 ]] || finish

ENVOY_BIN="$(envoy_bin)"
export ENVOY_BIN

mapfile -t wasm_pkgs < <(pkg_args aigw-host "${FILTER_CRATES[@]}")
check "cargo fmt" cargo fmt --all -- --check
check "cargo clippy" cargo clippy --workspace --all-targets -- -D warnings
check "cargo clippy ($WASM_TARGET)" cargo clippy --target "$WASM_TARGET" "${wasm_pkgs[@]}" \
    -- -D warnings
check "cargo test" cargo test --workspace
check "fuzz (30 s per target, 2 at a time)" env FUZZ_JOBS=2 "$REPO_ROOT/scripts/fuzz.sh" 30
check "python test deps" "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r integration/requirements.txt
check "python lint (ruff)" "$VENV/bin/ruff" check integration
check "integration (native)" pytest_kind native
check "integration (wasm)" pytest_kind wasm
check "integration (native vs wasm)" pytest_equivalence
finish
