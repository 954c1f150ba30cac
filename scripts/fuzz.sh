#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ (or the ones named) for SECONDS each (default 600) with
# `cargo fuzz` on the stable toolchain, and prints each target's executions and outcome.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Stable Rust is enough: the targets are built with `--sanitizer none`, so cargo-fuzz passes
# only stable flags (`-Cpasses=sancov-module`, `-Cllvm-args=-sanitizer-coverage-*`,
# `--cfg fuzzing`) and no `-Z` option. cargo-fuzz itself is installed from crates.io into
# .tools/ (not globally) when missing. FUZZ_JOBS (default 1) targets run at once. Seeds come
# from testdata/ and a few inline examples; the corpus grows in target/fuzz/corpus/<target>.
# FUZZ_SEED (default 1) is libFuzzer's random seed: fixed, so a run from a clean checkout
# (CI) repeats the mutation sequence a local run already went through instead of finding a
# different crash each time; FUZZ_SEED=0 picks a new seed per run (long exploratory runs).
# A crash leaves its input in fuzz/artifacts/<target>/: fix the bug and keep the input as
# testdata/fuzz/<target>/<name> (fuzz/tests/regressions.rs replays it in `cargo test`).
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

SECONDS_PER_TARGET="${1:-600}"
shift || true
CARGO_FUZZ_VERSION="0.13.2"
TOOLS="$REPO_ROOT/.tools"
FUZZ_DIR="$TARGET_DIR/fuzz"
FUZZ_JOBS="${FUZZ_JOBS:-1}"
FUZZ_SEED="${FUZZ_SEED:-1}"
# The workspace's release profile uses LTO, which fuzz builds do not need.
export CARGO_PROFILE_RELEASE_LTO=false
FUZZ_FLAGS=(--sanitizer none --features libfuzzer --target-dir "$FUZZ_DIR")

ALL_TARGETS=(sse_parser openai_request anthropic_request anthropic_response anthropic_stream
    gemini_request gemini_response gemini_stream mcp_jsonrpc mcp_session mcp_stream
    mcp_router_filter gateway_config filter_configs aws_eventstream cohere_stream bedrock_stream messages_stream)
if [[ $# -gt 0 ]]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

step "cargo-fuzz $CARGO_FUZZ_VERSION in $TOOLS"
if [[ "$("$TOOLS/bin/cargo-fuzz" --version 2>/dev/null)" == "cargo-fuzz $CARGO_FUZZ_VERSION" ]]; then
    note "already installed"
else
    cargo install --locked --root "$TOOLS" cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi
export PATH="$TOOLS/bin:$PATH"

step "Build the fuzz targets (instrumented, stable toolchain)"
cargo fuzz build "${FUZZ_FLAGS[@]}"

# Writes the seed files of one target into a folder: each fixture behind a prefix of mode
# bytes the target reads first (see fuzz/src/).
seed_files() {
    local dir="$1" prefix="$2"
    shift 2
    local f
    for f in "$@"; do
        [[ -f "$f" ]] || continue
        { printf "$prefix"; cat "$f"; } >"$dir/$(echo "$f" | tr '/' '_')"
    done
}

# Writes the `input` text of each golden case file (`testdata/<provider>/*.json`) into a
# folder, behind a prefix of mode bytes.
seed_case_inputs() {
    local dir="$1" prefix="$2"
    shift 2
    local f
    for f in "$@"; do
        { printf "$prefix"; "$VENV/bin/python" -c \
            'import json, sys; sys.stdout.write(json.load(open(sys.argv[1]))["input"])' "$f"; } \
            >"$dir/$(basename "$f")"
    done
}

seed_text() {
    local dir="$1" name="$2" text="$3"
    printf '%b' "$text" >"$dir/$name"
}

make_seeds() {
    local t="$1" dir="$FUZZ_DIR/seeds/$1"
    rm -rf "$dir"
    mkdir -p "$dir"
    case "$t" in
        sse_parser)
            seed_files "$dir" '\xff\xff\x05' testdata/openai/*.sse testdata/anthropic/*/*.sse ;;
        openai_request)
            seed_files "$dir" '\x04' testdata/openai/*request*.json testdata/anthropic/*/request.json
            seed_files "$dir" '\x01' testdata/gemini/embeddings_request_*.json ;;
        anthropic_request)
            seed_files "$dir" '\x00' testdata/anthropic/*/request.json ;;
        anthropic_response)
            seed_files "$dir" '\x00' testdata/anthropic/*/upstream_response.json ;;
        anthropic_stream)
            seed_files "$dir" '\x03' testdata/anthropic/*/upstream_response.sse ;;
        gemini_request)
            seed_files "$dir" '\x00' testdata/anthropic/*/request.json
            seed_text "$dir" embeddings '\x02{"model":"text-embedding-004","input":["a","b"],"dimensions":4}' ;;
        gemini_response)
            seed_text "$dir" chat '\x00{"candidates":[{"content":{"role":"model","parts":[{"text":"Hi"},{"functionCall":{"name":"f","args":{"a":1}}}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1,"totalTokenCount":4},"modelVersion":"gemini-2.0-flash-001","responseId":"r1"}'
            seed_text "$dir" embeddings '\x01{"embeddings":[{"values":[0.5,-1.25,3]}]}'
            seed_text "$dir" error '\x00{"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}}' ;;
        gemini_stream)
            seed_text "$dir" text '\x01data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]},"index":0}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1,"totalTokenCount":4},"modelVersion":"gemini-2.0-flash-001","responseId":"r1"}\r\n\r\ndata: {"candidates":[{"content":{"role":"model","parts":[{"text":"lo","thought":true},{"functionCall":{"name":"f","args":{}}}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5}}\r\n\r\n' ;;
        mcp_jsonrpc)
            seed_text "$dir" initialize '\x00{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}'
            seed_text "$dir" sse '\x01event: message\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}\n\ndata: {"jsonrpc":"2.0","id":1,"result":{"tools":[]}}\n\n'
            seed_text "$dir" response '\x04{"jsonrpc":"2.0","id":"a","error":{"code":-32601,"message":"no"}}' ;;
        mcp_session)
            seed_text "$dir" session '\x01{"v":"2025-06-18","b":[{"s":"docs","i":"abc","v":"2025-06-18"},{"s":"web","v":"2025-03-26"}]}'
            seed_text "$dir" id '\x00AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' ;;
        mcp_stream)
            seed_text "$dir" call '\x07event: message\r\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}\r\n\r\nevent: message\nid: e2\ndata: {"jsonrpc":"2.0","id":0,"method":"elicitation/create","params":{"message":"ok?"}}\n\n: keep-alive\n\ndata: {"jsonrpc":"2.0","method":"notifications/resources/updated",\ndata: "params":{"uri":"file:///a"}}\r\rdata: {"jsonrpc":"2.0","id":7,"result":{"isError":true}}\n\n'
            seed_text "$dir" error '\x03data: {"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"bad"}}\n\n' ;;
        mcp_router_filter)
            # Flag byte (method, session, version; see fuzz/src/mcp_filter.rs), the request
            # body, then "\n--\n" before each server answer (status and content-type bytes).
            local init='{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{},"prompts":{}},"serverInfo":{"name":"s","version":"1"}}}'
            local list='{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"now","inputSchema":{"type":"object"}},{"name":"admin_x","inputSchema":{"type":"object"}}],"nextCursor":"c2"}}'
            seed_text "$dir" initialize '\x00{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"f","version":"1"}}}'"\n--\n\x00\x00$init\n--\n\x00\x00$init\n--\n\x02\x03\n--\n\x02\x03"
            seed_text "$dir" list '\x14{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}'"\n--\n\x00\x00$list\n--\n\x00\x01event: message\ndata: $list\n\n"
            seed_text "$dir" call '\x14{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"weather__now","arguments":{}}}\n--\n\x00\x01event: message\ndata: {"jsonrpc":"2.0","id":0,"method":"elicitation/create","params":{}}\n\ndata: {"jsonrpc":"2.0","id":3,"result":{"content":[]}}\n\n'
            seed_text "$dir" stateless '\x30{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}'"\n--\n\x00\x00$init\n--\n\x02\x03\n--\n\x00\x00$list" ;;
        gateway_config)
            seed_files "$dir" '' control-plane/examples/*.yaml envoy-configs/gateway.yaml \
                testdata/config/broken/*.yaml ;;
        filter_configs)
            seed_text "$dir" router '\x00{"role":"router","force_include_usage":true,"max_request_bytes":4194304,"models":[{"id":"m","owned_by":"o"}]}'
            seed_text "$dir" backend '\x00{"role":"backend","backend":"az","schema":"AzureOpenAI","azure_api_version":"2024-10-21","authority":"a.example"}'
            seed_text "$dir" costs '\x01{"costs":[{"metadata_key":"llm_total_token","type":"TotalToken"}]}'
            seed_text "$dir" auth '\x06{"backend":"openai","kind":"bearer","key_env":"OPENAI_API_KEY"}'
            seed_text "$dir" sigv4 '\x06{"backend":"bedrock","kind":"aws_sigv4","region":"us-east-1"}'
            seed_text "$dir" mcp '\x07{"path":"/mcp","session_key_env":"K","servers":[{"name":"docs","cluster":"c","authority":"127.0.0.1:1","path":"/mcp","tools":{"include_regex":["^a"]}}]}' ;;
        aws_eventstream)
            seed_files "$dir" '\xff\x05' testdata/bedrock/*/upstream_response.bin ;;
        cohere_stream)
            seed_case_inputs "$dir" '\x01' testdata/cohere/stream_*.json ;;
        bedrock_stream)
            seed_files "$dir" '\x01' testdata/bedrock/*/upstream_response.bin ;;
        messages_stream)
            seed_files "$dir" '\x01' testdata/openai/chat_stream*.sse ;;
        *) die "no seeds defined for target $t" ;;
    esac
}

# Runs one target; its log ends with libFuzzer's final stats.
run_target() {
    local t="$1" log="$FUZZ_DIR/logs/$1.log"
    mkdir -p "$FUZZ_DIR/corpus/$t"
    cargo fuzz run "${FUZZ_FLAGS[@]}" "$t" "$FUZZ_DIR/corpus/$t" "$FUZZ_DIR/seeds/$t" -- \
        -max_total_time="$SECONDS_PER_TARGET" -max_len=16384 -timeout=10 -rss_limit_mb=1024 \
        -print_final_stats=1 -seed="$FUZZ_SEED" >"$log" 2>&1
}

step "Run ${#TARGETS[@]} targets, ${SECONDS_PER_TARGET}s each, $FUZZ_JOBS at a time"
mkdir -p "$FUZZ_DIR/logs"
declare -A pids=()
for t in "${TARGETS[@]}"; do
    make_seeds "$t"
    while [[ $(jobs -rp | wc -l) -ge $FUZZ_JOBS ]]; do wait -n || true; done
    run_target "$t" &
    pids[$t]=$!
done

failed=0
for t in "${TARGETS[@]}"; do
    rc=0
    wait "${pids[$t]}" || rc=$?
    log="$FUZZ_DIR/logs/$t.log"
    execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
    if [[ $rc -eq 0 ]]; then
        note "PASS  $t  execs=${execs:-?}"
    else
        failed=1
        note "FAIL  $t  (exit $rc; log $log)"
        grep -E 'panicked at|SUMMARY|Test unit written to' "$log" | head -5 | sed 's/^/          /' || true
    fi
done
[[ $failed -eq 0 ]] || die "a fuzz target failed: keep its input under testdata/fuzz/<target>/ once fixed"
note "no crashes"
