-- wrk script: POSTs one MCP JSON-RPC request (body from MCP_BODY) with the session header
-- (MCP_SESSION, may be empty) to MCP_PATH; counts replies that are not HTTP 200 with a
-- JSON-RPC result, so error replies cannot pass as throughput; prints a machine-readable result.
wrk.method = "POST"
wrk.path = os.getenv("MCP_PATH")
wrk.headers["content-type"] = "application/json"
wrk.headers["accept"] = "application/json, text/event-stream"
wrk.headers["mcp-protocol-version"] = "2025-06-18"
local session = os.getenv("MCP_SESSION") or ""
if session ~= "" then
  wrk.headers["mcp-session-id"] = session
end
wrk.body = os.getenv("MCP_BODY")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad_replies = 0
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"result":', 1, true)
      or string.find(body, '"error":', 1, true) then
    bad_replies = bad_replies + 1
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("bad_replies")
  end
  io.write(string.format("AIGW_RESULT %.1f %d %d %d %d\n",
    summary.requests / seconds, latency:percentile(50), latency:percentile(99),
    summary.requests, bad))
end
