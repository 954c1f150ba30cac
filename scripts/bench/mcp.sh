# shellcheck shell=bash
# MCP part of scripts/bench.sh (sourced; uses its helpers and RESULT). Variants:
# mcp-direct (wrk straight to testupstream's MCP responder, no Envoy), mcp-plain (the same
# server behind plain Envoy with no filters, scripts/bench/plain-envoy.yaml: the cost of the
# proxy hop alone), mcp-native and mcp-wasm (the gateway's mcp-router in front of two such
# servers, alpha and beta, see scripts/bench/mcp.yaml). Scenarios: `list` (tools/list: the
# gateway fans out to both servers and merges; direct and plain ask one server) and `call`
# (tools/call of echo, routed by the gateway to alpha). Each variant opens one session with initialize (the gateway's sealed
# Mcp-Session-Id; the direct server is stateless), probes each scenario with curl, then runs
# wrk with scripts/bench/mcp.lua, which counts any reply that is not 200 with a JSON-RPC result.

# Obviously fake session key (base64 of 32 bytes) for the gateway's Mcp-Session-Id.
export AIGW_BENCH_MCP_KEY="ZmFrZS1iZW5jaC1tY3Atc2Vzc2lvbi1rZXktMDAwMDA="
MCP_INIT='{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"aigw-bench","version":"1"}}}'
MCP_LIST='{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}'

# The tools/call body for tool name $1.
mcp_call_body() {
    printf '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"%s","arguments":{"text":"hello from the benchmark"}}}' "$1"
}

# POSTs JSON-RPC body $3 to URL $1 in session $2 (may be empty); writes the body to
# $WORK/mcp-reply and the headers to $WORK/mcp-headers; prints the HTTP status.
mcp_post() {
    local session_header=()
    [[ -z "$2" ]] || session_header=(-H "mcp-session-id: $2")
    curl -s -o "$WORK/mcp-reply" -D "$WORK/mcp-headers" -w '%{http_code}' \
        -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
        -H 'mcp-protocol-version: 2025-06-18' "${session_header[@]}" --data-binary "$3" "$1"
}

# Initializes a session at URL $1; prints its Mcp-Session-Id (empty for a stateless server).
mcp_initialize() {
    local status session
    status="$(curl -s -o "$WORK/mcp-reply" -D "$WORK/mcp-headers" -w '%{http_code}' \
        -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
        --data-binary "$MCP_INIT" "$1")"
    if [[ "$status" != 200 ]] || ! grep -q '"result":' "$WORK/mcp-reply"; then
        die "MCP initialize at $1 got HTTP $status: $(cat "$WORK/mcp-reply")"
    fi
    session="$(sed -n 's/^mcp-session-id: *\([^[:space:]]*\).*/\1/Ip' "$WORK/mcp-headers")"
    status="$(mcp_post "$1" "$session" '{"jsonrpc":"2.0","method":"notifications/initialized"}')"
    [[ "$status" == 202 ]] || die "MCP notifications/initialized at $1 got HTTP $status"
    printf '%s' "$session"
}

# Runs wrk with mcp.lua for $1 seconds against path $2, session $3, body $4.
run_mcp_wrk() {
    MCP_PATH="$2" MCP_SESSION="$3" MCP_BODY="$4" taskset -c 1 wrk -t1 -c"$CONNECTIONS" \
        -d"$1s" -s "$BENCH_DIR/mcp.lua" "http://127.0.0.1:$LISTEN_PORT" |
        awk '/^AIGW_RESULT/ { $1 = ""; print }'
}

# Measures both scenarios of MCP variant $1 into RESULT[$1/list] and RESULT[$1/call].
mcp_variant() {
    local variant="$1" path call_tool session scenario body status
    if [[ "$variant" == mcp-direct ]]; then
        LISTEN_PORT="$UPSTREAM_PORT"
        path=/mcp/alpha
        call_tool="echo"
    elif [[ "$variant" == mcp-plain ]]; then
        LISTEN_PORT="$(free_port)"
        # shellcheck disable=SC2034 # read by render
        ADMIN_PORT="$(free_port)"
        render "$BENCH_DIR/plain-envoy.yaml" "$WORK/$variant.yaml"
        start_envoy "$variant"
        path=/mcp/alpha
        call_tool="echo"
    else
        LISTEN_PORT="$(free_port)"
        # shellcheck disable=SC2034 # read by render
        ADMIN_PORT="$(free_port)"
        render "$BENCH_DIR/gateway.yaml" "$WORK/gateway.yaml"
        render "$BENCH_DIR/mcp.yaml" "$WORK/mcp.yaml"
        cat "$WORK/mcp.yaml" >>"$WORK/gateway.yaml"
        "$AIGW" translate "$WORK/gateway.yaml" --module "${variant#mcp-}" \
            --access-log "$WORK/$variant-access.log" >"$WORK/$variant.yaml"
        start_envoy "$variant"
        path=/mcp
        call_tool=alpha__echo
    fi
    session="$(mcp_initialize "http://127.0.0.1:$LISTEN_PORT$path")"
    for scenario in list call; do
        body="$MCP_LIST"
        [[ "$scenario" == list ]] || body="$(mcp_call_body "$call_tool")"
        status="$(mcp_post "http://127.0.0.1:$LISTEN_PORT$path" "$session" "$body")"
        if [[ "$status" != 200 ]] || ! grep -q '"result":' "$WORK/mcp-reply"; then
            die "$variant $scenario: probe got HTTP $status: $(cat "$WORK/mcp-reply")"
        fi
        note "$scenario: warm-up ${WARMUP}s"
        run_mcp_wrk "$WARMUP" "$path" "$session" "$body" >/dev/null
        note "$scenario: measuring ${DURATION}s at c=$CONNECTIONS"
        local cpu_before=0 cpu_after=0 rps p50 p99 total bad cpu_us=n/a
        [[ -z "$ENVOY_PID" ]] || cpu_before="$(cpu_ticks "$ENVOY_PID")"
        read -r rps p50 p99 total bad < <(run_mcp_wrk "$DURATION" "$path" "$session" "$body")
        [[ "$bad" == 0 ]] || die "$variant $scenario: $bad of $total requests failed"
        if [[ -n "$ENVOY_PID" ]]; then
            cpu_after="$(cpu_ticks "$ENVOY_PID")"
            cpu_us="$(awk -v t=$((cpu_after - cpu_before)) -v hz="$CLK_TCK" -v n="$total" \
                'BEGIN { printf "%.1f", t / hz * 1e6 / n }')"
        fi
        RESULT["$variant/$scenario"]="$rps $p50 $p99 $cpu_us"
    done
    stop_envoy
}

# Prints the MCP table: per scenario and variant, requests/s, p50, p99, Envoy CPU per
# request, the p50/p99 overhead over mcp-direct and over mcp-plain (when measured).
mcp_results() {
    local scenario variant
    printf '    %-10s %-11s %11s %8s %8s %11s %12s %12s %12s %12s\n' scenario variant \
        "requests/s" "p50 ms" "p99 ms" "CPU us/req" "p50 +direct" "p99 +direct" \
        "p50 +plain" "p99 +plain"
    for scenario in list call; do
        read -r _ d50 d99 _ <<<"${RESULT[mcp-direct/$scenario]:-0 -1 -1 0}"
        read -r _ e50 e99 _ <<<"${RESULT[mcp-plain/$scenario]:-0 -1 -1 0}"
        for variant in $VARIANTS; do
            [[ "$variant" == mcp-* ]] || continue
            read -r rps p50 p99 cpu <<<"${RESULT[$variant/$scenario]}"
            awk -v s="tools/$scenario" -v v="$variant" -v r="$rps" -v a="$p50" -v b="$p99" \
                -v c="$cpu" -v da="$d50" -v db="$d99" -v ea="$e50" -v eb="$e99" '
                function over(x, base, self) {
                    return self || base < 0 ? "-" : sprintf("%+.2f", (x - base) / 1000)
                }
                BEGIN {
                    printf "    %-10s %-11s %11.0f %8.2f %8.2f %11s %12s %12s %12s %12s\n",
                        s, v, r, a / 1000, b / 1000, c,
                        over(a, da, v == "mcp-direct"), over(b, db, v == "mcp-direct"),
                        over(a, ea, v ~ /^mcp-(direct|plain)$/),
                        over(b, eb, v ~ /^mcp-(direct|plain)$/)
                }'
        done
    done
}
