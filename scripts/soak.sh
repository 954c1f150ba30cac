#!/usr/bin/env bash
# Soak test (not in CI): steady mixed traffic (plain and streamed chat, OpenAI and translated
# Anthropic backends) through each artifact kind for MINUTES (default 10), Envoy's RSS
# sampled every 10 s; prints the RSS at the start, after 1 minute and at the end, and fails
# when it grew by more than 10% after the first minute. Needs scripts/setup.sh first.
#
#   scripts/soak.sh [MINUTES]        SOAK_RATE (requests/s, default 20), SOAK_KINDS ("native wasm")
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

MINUTES="${1:-10}"
[[ -x "$VENV/bin/python" ]] || die "no $VENV: run scripts/setup.sh first"
ENVOY_BIN="${ENVOY_BIN:-$(envoy_bin)}"
export ENVOY_BIN
failed=0
for kind in ${SOAK_KINDS:-native wasm}; do
    step "Soak: $kind, $MINUTES min at ${SOAK_RATE:-20} requests/s"
    "$VENV/bin/python" scripts/soak/soak.py "$kind" "$MINUTES" --rate "${SOAK_RATE:-20}" || failed=1
done
[[ $failed -eq 0 ]] || die "soak failed (see above)"
