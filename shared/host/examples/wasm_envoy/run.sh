#!/usr/bin/env bash
# Builds the wasm demo, runs it in Envoy 1.40 (downstream and as an upstream cluster filter)
# against upstream.py, and checks each host feature. Usage: run.sh [path/to/envoy]
# HOST=native runs the same demo built as a native dynamic module (libwasm_demo.so), to check
# that both hosts behave alike; checks of wasm-only mechanics are then skipped.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../../.." && pwd)"
envoy="${1:-$(ls /tmp/venvtest/lib/python3*/site-packages/envoy/_bin/envoy | head -1)}"
target="${CARGO_TARGET_DIR:-$repo/target}"
host="${HOST:-wasm}"
if [ "$host" = wasm ]; then
  (cd "$repo" && cargo build -q -p aigw-host --example wasm_demo --target wasm32-wasip1 --release)
  module="$target/wasm32-wasip1/release/examples/wasm_demo.wasm"
  metric_prefix=""
else
  (cd "$repo" && cargo build -q -p aigw-host --example wasm_demo --release)
  module="$target/release/examples"
  export ENVOY_DYNAMIC_MODULES_SEARCH_PATH="$module"
  metric_prefix="envoy_dynamicmodulescustom_"
fi

base=$((20000 + RANDOM % 20000))
port=$base admin=$((base + 1)) up=$((base + 2))
work="$(mktemp -d)"
log="$work/access.log"
python3 "$here/render.py" "$host" "$module" "$port" "$admin" "$up" "$log" \
  < "$here/envoy.yaml.in" > "$work/envoy.yaml"

python3 "$here/upstream.py" "$up" & up_pid=$!
"$envoy" -c "$work/envoy.yaml" --disable-hot-restart --concurrency 1 \
  --file-flush-interval-msec 100 -l info > "$work/envoy.out" 2>&1 & envoy_pid=$!
trap 'kill $envoy_pid $up_pid 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 100); do
  curl -sf "localhost:$admin/ready" > /dev/null 2>&1 && curl -s "localhost:$up/" > /dev/null 2>&1 && break
  sleep 0.1
done

fails=0
check() { # name, haystack, needle
  if grep -qF -- "$3" <<< "$2"; then echo "PASS $1"; else
    echo "FAIL $1: want '$3' in:"; head -20 <<< "$2"; fails=$((fails + 1)); fi
}
post() { curl -s -i "localhost:$port$1" -H 'content-type: application/json' -d "$2"; }

out="$(post /v1/chat/completions '{"model":"gpt-4.1","messages":[]}')"
check "model header set from body, re-routed" "$out" "x-route: a"
check "upstream filter saw header" "$out" '"x-demo-backend-filter": "a"'
check "router header reached upstream" "$out" '"x-ai-eg-model": "gpt-4.1"'
check "upstream body rewrite" "$out" 'gpt-4.1@a'
check "content-length fixed" "$out" '"content-length": "35"'
check "upstream response header" "$out" "x-aigw-backend: a"
check "buffered upstream response rewrite + downstream rewrite" "$out" '"greeting": "HELLO from a"'
body="$(curl -s "localhost:$port/v1/chat/completions" -d '{"model":"gpt-4.1"}')"
check "response content-length fixed after whole-body rewrite" "$(python3 -c '
import json, sys
print("complete" if json.loads(sys.argv[1])["greeting"] == "HELLO from a" else "wrong")
' "$body" 2>&1)" "complete"

out="$(post /v1/chat/completions '{"model":"other"}')"
check "default route without upstream filter" "$out" "x-route: default"

out="$(post /v1/chat/completions '{"model":"reject"}')"
check "local reply" "$out" "HTTP/1.1 422"
check "local reply body, unseen by the replying filter" "$out" "rejected by demo: hello"

out="$(post /v1/chat/completions '{"model":"callout"}')"
check "callout status forwarded" "$out" '"x-callout-status": "201"'
check "callout body forwarded" "$out" '"x-callout-body": "ok-from-check"'
check "callout route" "$out" "x-route: callout"
check "held body rewritten after the callout" "$out" '"body": "{\"checked\":201,\"model\":\"callout@a\"}"'

out="$(post /v1/chat/completions '{"model":"callout-unknown-cluster"}')"
check "refused callout reported to the filter" "$out" "HTTP/1.1 502"
check "refused callout names the cluster" "$out" "no-such-cluster"

out="$(post /v1/chat/completions '{"model":"callout-empty-cluster"}')"
check "callout without upstream refused at once" "$out" "HTTP/1.1 502"
check "callout without upstream, reason" "$out" "cluster \`empty\`"

out="$(curl -s -N "localhost:$port/v1/sse" -H 'content-type: application/json' \
  -d '{"model":"gpt-4.1","stream":true}' | while IFS= read -r line; do
  if [ -n "$line" ]; then echo "$(date +%s.%N) $line"; fi; done)"
check "SSE chunk 0 rewritten" "$out" "data: HELLO 0"
check "SSE chunk 2 rewritten" "$out" "data: HELLO 2"
first=$(head -1 <<< "$out" | cut -d' ' -f1) last=$(tail -1 <<< "$out" | cut -d' ' -f1)
spread=$(python3 -c "print('chunked' if $last - $first > 0.4 else 'buffered')")
check "SSE arrives chunk by chunk" "$spread" "chunked"

# Request and response that end in trailers (HTTP/1 chunked): filters waiting for the whole
# body still get a last body callback with end_of_stream, over all the held data.
out="$(python3 - "$port" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
parts = [b'{"model":"gpt-4.1",', b'"messages":[]}']
req = b"POST /v1/trailers HTTP/1.1\r\nhost: demo\r\ncontent-type: application/json\r\n"
req += b"transfer-encoding: chunked\r\nte: trailers\r\nconnection: close\r\n\r\n"
req += b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts)
req += b"0\r\nx-client-trailer: yes\r\n\r\n"
s.sendall(req)
data = b""
while (chunk := s.recv(65536)):
    data += chunk
print(data.decode("utf-8", "replace"))
PY
)"
check "request ending in trailers: routed by body" "$out" "x-route: a"
check "request ending in trailers: body rewritten upstream" "$out" 'gpt-4.1@a'
check "request trailers forwarded" "$out" '"x-client-trailer": "yes"'
check "response ending in trailers: rewritten whole upstream" "$out" '"greeting": "HELLO from a"'
check "response trailers forwarded" "$out" "x-upstream-trailer: done"

out="$(curl -s -i "localhost:$port/healthz")"
check "pass-through GET" "$out" "HTTP/1.1 201"

sleep 2.5
logs="$(cat "$log")"
check "filter state in access log" "$logs" "model=gpt-4.1 bytes=33 backend=a completed=1"
prom="$(curl -s "localhost:$admin/stats/prometheus")"
# Envoy's Prometheus output drops the registered `wasmcustom` namespace from the name;
# wasm labels come in the order of `stats_tags` (here: the definition order, as on the native
# host). Native metrics carry their own prefix.
m="$metric_prefix"
check "labelled counter" "$prom" "${m}demo_requests{gen_ai_request_model=\"gpt-4.1\"} 4"
check "labelled counter type" "$prom" "# TYPE ${m}demo_requests counter"
check "labelled histogram, two labels" "$prom" \
  "${m}demo_request_bytes_count{gen_ai_operation_name=\"chat\",gen_ai_request_model=\"gpt-4.1\"} 4"
check "labelled histogram type" "$prom" "# TYPE ${m}demo_request_bytes histogram"
check "labelled counter, other model" "$prom" "${m}demo_requests{gen_ai_request_model=\"callout\"} 1"
if [ "$host" = wasm ]; then # proxy-wasm mechanics
  if grep -qiE "panicked|wasm trap|Function: proxy_on" "$work/envoy.out"; then
    echo "FAIL VM trapped:"; grep -iE "panicked|trap" "$work/envoy.out" | head; fails=$((fails + 1))
  else echo "PASS no VM trap"; fi
  out="$(post /v1/chat/completions '{"model":"misuse"}')"
  check "misused host calls do not break the request" "$out" "HTTP/1.1 200"
  logs="$(cat "$work/envoy.out")"
  check "too-late header ignored and logged" "$logs" "set_request_header ignored"
  for call in set_response_header remove_response_header "body write" "body read" \
    continue_request continue_response send_local_reply clear_route_cache; do
    check "misuse: $call ignored" "$logs" "$call ignored"
  done
  check "misuse: unknown metric logged" "$logs" "unknown metric id 999"
  check "misuse: callout after the end refused" "$logs" "as expected: http_callout: the stream has ended"
  if grep -qiE "panicked|wasm trap|Function: proxy_on" "$work/envoy.out"; then
    echo "FAIL VM trapped after misuse"; fails=$((fails + 1))
  else echo "PASS no VM trap after misuse"; fi
fi

# A filter bug (panic): the request fails; with `failure_policy: FAIL_RELOAD` the wasm VM is
# reloaded and the next request works (without it, every later request on the worker is 503).
code="$(curl -s -o /dev/null -w '%{http_code}' "localhost:$port/v1/chat/completions" -d '{"model":"panic"}')"
check "panicking filter fails its request" "$code" "50"
code="$(curl -s -o /dev/null -w '%{http_code}' "localhost:$port/v1/chat/completions" -d '{"model":"gpt-4.1"}')"
check "next request served after the panic" "$code" "200"

# A configuration the factory rejects must make Envoy refuse the listener.
sed -e 's#"role":"router"#"role":"nonsense"#' "$here/envoy.yaml.in" |
  python3 "$here/render.py" "$host" "$module" $((port + 10)) $((admin + 10)) "$up" "$log" \
  > "$work/bad.yaml"
bad="$(timeout 20 "$envoy" -c "$work/bad.yaml" --disable-hot-restart --concurrency 1 2>&1 || true)"
check "bad config rejected with the field named" "$bad" "role: \`nonsense\` is not router or backend"

echo "work dir: $work"; [ -n "${KEEP:-}" ] && { echo "envoy admin: $admin, listener $port; Ctrl-C to stop"; wait $envoy_pid; }
[ "$fails" -eq 0 ] && echo "ALL PASSED" || { echo "$fails FAILED"; exit 1; }
