#!/usr/bin/env bash
# Throughput and latency of the gateway filter chain against plain Envoy, on loopback.
#
# Starts testupstream, then Envoys one at a time: plain Envoy (no filters, see
# scripts/bench/plain-envoy.yaml), the gateway with native modules, the gateway with wasm
# modules (both from `aigw translate scripts/bench/gateway.yaml`), and both again with token
# rate limits on (`native-rl`, `wasm-rl`: scripts/bench/rate-limits.yaml added, an in-memory
# `aigw ratelimit` on core 1, a budget never used up). Envoy runs with
# --concurrency 1 pinned to core 0; wrk (one thread) and testupstream share core 1. Each
# variant gets a warm-up, then a measured run of a ~1 KB chat completion request
# (scripts/bench/chat.lua). Prints requests/s, p50 and p99 latency, Envoy's CPU time per
# request (less sensitive than requests/s to other load on the machine) and the ratios to
# plain Envoy. Streaming variants: a streamed chat completion (scripts/bench/stream.lua)
# through plain Envoy from the OpenAI fake (stream-plain) and through the gateway to the
# AWS Bedrock fake, SigV4-signed, its binary event stream translated back chunk by chunk
# (bedrock-native, bedrock-wasm; scripts/bench/bedrock.yaml). MCP variants
# (scripts/bench/mcp.sh): tools/list fanned out over two MCP servers and tools/call routed to
# one, through the gateway (mcp-native, mcp-wasm), straight to the server (mcp-direct) and
# through plain Envoy (mcp-plain), with the p50/p99 overhead over direct and over plain
# Envoy. Then the criterion benchmark of the prompt-token estimate and a CEL cost.
#
# Knobs (environment): BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 2),
# BENCH_CONNECTIONS (default 32), BENCH_VARIANTS (default "plain native wasm native-rl
# wasm-rl stream-plain bedrock-native bedrock-wasm mcp-direct mcp-plain mcp-native mcp-wasm"),
# BENCH_CRITERION (default 1; 0 skips the criterion part).
# Needs the release artifacts and .venv from scripts/setup.sh.
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

DURATION="${BENCH_DURATION:-10}"
WARMUP="${BENCH_WARMUP:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
VARIANTS="${BENCH_VARIANTS:-plain native wasm native-rl wasm-rl stream-plain bedrock-native bedrock-wasm mcp-direct mcp-plain mcp-native mcp-wasm}"
CRITERION="${BENCH_CRITERION:-1}"
BENCH_DIR="$REPO_ROOT/scripts/bench"
# Obviously fake key shared by testupstream and the gateway (read from the environment).
export AIGW_BENCH_KEY="sk-bench-fake-0000"
# Obviously fake AWS keys of the Bedrock fake (streaming variants).
export AIGW_BENCH_AWS_ID="AKIDBENCHFAKE0000000"
export AIGW_BENCH_AWS_SECRET="bench-fake-aws-secret-0000"

if ! command -v wrk >/dev/null; then
    step "Installing wrk from Debian"
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq wrk
fi
command -v taskset >/dev/null || die "taskset not found (Debian package util-linux)"
[[ -x "$VENV/bin/python" ]] || die "no $VENV: run scripts/setup.sh first"
ENVOY_BIN="${ENVOY_BIN:-$(envoy_bin)}"
AIGW="$TARGET_DIR/release/aigw"
TESTUPSTREAM="$TARGET_DIR/release/testupstream"
needed=("$ENVOY_BIN" "$TESTUPSTREAM")
[[ "$VARIANTS" =~ ^(plain|mcp-direct|mcp-plain|\ )*$ ]] || needed+=("$AIGW")
for f in "${needed[@]}"; do
    [[ -x "$f" ]] || die "missing $f: run scripts/setup.sh first"
done

CLK_TCK="$(getconf CLK_TCK)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/aigw-bench.XXXXXX")"
UPSTREAM_PID=""
ENVOY_PID=""
RATELIMIT_PID=""
cleanup() {
    local p
    for p in "$ENVOY_PID" "$UPSTREAM_PID" "$RATELIMIT_PID"; do
        if [[ -n "$p" ]]; then kill "$p" 2>/dev/null || true; fi
    done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# Prints a free loopback TCP port.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Fills the @NAME@ placeholders of template $1 into file $2.
render() {
    sed -e "s/@LISTEN_PORT@/$LISTEN_PORT/g" -e "s/@ADMIN_PORT@/$ADMIN_PORT/g" \
        -e "s/@UPSTREAM_PORT@/$UPSTREAM_PORT/g" -e "s/@UPSTREAM_KEY@/$AIGW_BENCH_KEY/g" \
        -e "s/@RATELIMIT_PORT@/${RATELIMIT_PORT:-0}/g" \
        "$1" >"$2"
}

# Waits until Envoy's admin says it is live, or fails naming its log.
wait_ready() {
    local log="$1"
    for _ in $(seq 1 100); do
        if curl -sf "http://127.0.0.1:$ADMIN_PORT/ready" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    tail -n 20 "$log" >&2
    die "Envoy did not become ready within 10 s (log: $log)"
}

# Prints the CPU time (user + system, in clock ticks) process $1 has used so far.
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# Starts Envoy with $WORK/$1.yaml (variant $1) on core 0 and waits until it is ready.
start_envoy() {
    local log="$WORK/$1-envoy.log"
    ENVOY_DYNAMIC_MODULES_SEARCH_PATH="$TARGET_DIR/release" taskset -c 0 "$ENVOY_BIN" \
        -c "$WORK/$1.yaml" --concurrency 1 --disable-hot-restart --log-level warn >"$log" 2>&1 &
    ENVOY_PID=$!
    wait_ready "$log"
}

# Stops the running Envoy, if any.
stop_envoy() {
    [[ -n "$ENVOY_PID" ]] || return 0
    kill -INT "$ENVOY_PID"
    wait "$ENVOY_PID" 2>/dev/null || true
    ENVOY_PID=""
}

# shellcheck source=scripts/bench/mcp.sh
source "$BENCH_DIR/mcp.sh"

# Runs wrk with script $WRK_SCRIPT against the current listener for $1 seconds; prints the
# AIGW_RESULT fields.
run_wrk() {
    taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$1s" -s "$BENCH_DIR/$WRK_SCRIPT" \
        "http://127.0.0.1:$LISTEN_PORT" | awk '/^AIGW_RESULT/ { $1 = ""; print }'
}

step "Starting testupstream on core 1"
taskset -c 1 "$TESTUPSTREAM" --listen 127.0.0.1:0 --backend "demo=$AIGW_BENCH_KEY" \
    --backend "bedrock=$AIGW_BENCH_AWS_ID:$AIGW_BENCH_AWS_SECRET" \
    >"$WORK/testupstream.out" 2>"$WORK/testupstream.err" &
UPSTREAM_PID=$!
UPSTREAM_PORT=""
for _ in $(seq 1 50); do
    UPSTREAM_PORT="$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$WORK/testupstream.out")"
    [[ -n "$UPSTREAM_PORT" ]] && break
    sleep 0.1
done
[[ -n "$UPSTREAM_PORT" ]] || die "testupstream did not start: $(cat "$WORK/testupstream.err")"
note "testupstream on 127.0.0.1:$UPSTREAM_PORT"

if [[ " $VARIANTS " == *-rl\ * ]]; then
    step "Starting aigw ratelimit (in memory) on core 1"
    RATELIMIT_PORT="$(free_port)"
    taskset -c 1 "$AIGW" ratelimit --listen "127.0.0.1:$RATELIMIT_PORT" \
        >"$WORK/ratelimit.out" 2>"$WORK/ratelimit.err" &
    RATELIMIT_PID=$!
    for _ in $(seq 1 50); do
        grep -q "listening on" "$WORK/ratelimit.out" 2>/dev/null && break
        sleep 0.1
    done
    grep -q "listening on" "$WORK/ratelimit.out" || die "aigw ratelimit did not start: $(cat "$WORK/ratelimit.err")"
    note "aigw ratelimit on 127.0.0.1:$RATELIMIT_PORT"
fi

declare -A RESULT
for variant in $VARIANTS; do
    step "Variant: $variant"
    if [[ "$variant" == mcp-* ]]; then
        [[ "$variant" =~ ^mcp-(direct|plain|native|wasm)$ ]] ||
            die "unknown variant $variant in BENCH_VARIANTS (mcp-direct, mcp-plain, mcp-native, mcp-wasm)"
        mcp_variant "$variant"
        continue
    fi
    LISTEN_PORT="$(free_port)"
    ADMIN_PORT="$(free_port)"
    config="$WORK/$variant.yaml"
    WRK_SCRIPT=chat.lua
    export BENCH_MODEL=demo
    case "$variant" in
    plain | stream-plain) render "$BENCH_DIR/plain-envoy.yaml" "$config" ;;
    native | wasm | native-rl | wasm-rl)
        render "$BENCH_DIR/gateway.yaml" "$WORK/gateway.yaml"
        if [[ "$variant" == *-rl ]]; then
            render "$BENCH_DIR/rate-limits.yaml" "$WORK/rate-limits.yaml"
            cat "$WORK/rate-limits.yaml" >>"$WORK/gateway.yaml"
        fi
        "$AIGW" translate "$WORK/gateway.yaml" --module "${variant%-rl}" \
            --access-log "$WORK/$variant-access.log" >"$config"
        ;;
    bedrock-native | bedrock-wasm)
        render "$BENCH_DIR/bedrock.yaml" "$WORK/bedrock.yaml"
        "$AIGW" translate "$WORK/bedrock.yaml" --module "${variant#bedrock-}" \
            --access-log "$WORK/$variant-access.log" >"$config"
        BENCH_MODEL=demo-bedrock
        ;;
    *) die "unknown variant $variant in BENCH_VARIANTS (plain, native, wasm, native-rl, wasm-rl, stream-plain, bedrock-native, bedrock-wasm)" ;;
    esac
    [[ "$variant" != stream-plain && "$variant" != bedrock-* ]] || WRK_SCRIPT=stream.lua
    start_envoy "$variant"
    status="$(sed "s/\"demo\"/\"$BENCH_MODEL\"/" "$BENCH_DIR/probe.json" |
        curl -s -o "$WORK/probe.json" -w '%{http_code}' \
            -H 'content-type: application/json' --data-binary @- \
            "http://127.0.0.1:$LISTEN_PORT/v1/chat/completions")"
    [[ "$status" == 200 ]] || die "$variant: probe request got HTTP $status: $(cat "$WORK/probe.json")"
    note "warm-up ${WARMUP}s"
    run_wrk "$WARMUP" >/dev/null
    note "measuring ${DURATION}s at c=$CONNECTIONS"
    cpu_before="$(cpu_ticks "$ENVOY_PID")"
    read -r rps p50 p99 total bad < <(run_wrk "$DURATION")
    cpu_after="$(cpu_ticks "$ENVOY_PID")"
    [[ "$bad" == 0 ]] || die "$variant: $bad of $total requests failed (non-2xx or socket errors)"
    cpu_us="$(awk -v t=$((cpu_after - cpu_before)) -v hz="$CLK_TCK" -v n="$total" \
        'BEGIN { printf "%.1f", t / hz * 1e6 / n }')"
    RESULT[$variant]="$rps $p50 $p99 $cpu_us"
    stop_envoy
done

step "Results (Envoy --concurrency 1 on core 0, wrk -t1 -c$CONNECTIONS on core 1, ${DURATION}s)"
if [[ " $VARIANTS " == *\ mcp-* ]]; then
    note "MCP (overhead in ms: minus mcp-direct, no Envoy; minus mcp-plain, Envoy without filters)"
    mcp_results
fi
# Prints a table of variants $2... against baseline $1: requests/s, latency, Envoy CPU per
# request and the ratios to the baseline (variants that did not run are left out).
results_table() {
    local base="$1" variant
    shift
    read -r base_rps _ _ base_cpu <<<"${RESULT[$base]:-0 0 0 0}"
    printf '    %-14s %11s %9s %9s %12s %13s %13s\n' variant "requests/s" "p50 ms" "p99 ms" \
        "CPU us/req" "req/s / base" "CPU / base"
    for variant in "$@"; do
        [[ -n "${RESULT[$variant]:-}" ]] || continue
        read -r rps p50 p99 cpu <<<"${RESULT[$variant]}"
        awk -v v="$variant" -v r="$rps" -v a="$p50" -v b="$p99" -v c="$cpu" -v br="$base_rps" \
            -v bc="$base_cpu" 'BEGIN {
            rr = br > 0 ? sprintf("%.2f", r / br) : "n/a";
            cr = bc > 0 ? sprintf("%.2f", c / bc) : "n/a";
            printf "    %-14s %11.0f %9.2f %9.2f %12.1f %13s %13s\n", v, r, a / 1000, b / 1000, c, rr, cr }'
    done
}
if [[ " $VARIANTS " =~ \ (plain|native|wasm|native-rl|wasm-rl)\  ]]; then
    note "Chat completions, buffered (base: plain)"
    results_table plain plain native wasm native-rl wasm-rl
fi
if [[ " $VARIANTS " =~ \ (stream-plain|bedrock-native|bedrock-wasm)\  ]]; then
    note "Streamed chat: plain Envoy passing an OpenAI stream (base: stream-plain) vs the gateway"
    note "translating to Bedrock ConverseStream and its binary event stream back to OpenAI chunks"
    results_table stream-plain stream-plain bedrock-native bedrock-wasm
fi

[[ "$CRITERION" == 1 ]] || exit 0
step "Per-request work measured by criterion: prompt-token estimate and a CEL cost"
cargo bench -q -p aigw-core --bench token_estimate -- --noplot 2>&1 | grep -E "^[a-z_/0-9.-]+ +time:|^ +time:|^[a-z_/0-9.-]+$" || true
