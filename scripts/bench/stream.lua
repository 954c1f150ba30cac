-- wrk script: POSTs one streamed chat completion request for model $BENCH_MODEL and reads
-- the whole event stream; prints a machine-readable result like chat.lua.
wrk.method = "POST"
wrk.path = "/v1/chat/completions"
wrk.headers["content-type"] = "application/json"
wrk.body = '{"model":"' .. os.getenv("BENCH_MODEL") .. '","stream":true,'
  .. '"stream_options":{"include_usage":true},"max_tokens":64,'
  .. '"messages":[{"role":"system","content":"You are a concise assistant."},'
  .. '{"role":"user","content":"Summarise the notes of this week for the engineering update."}]}'

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("AIGW_RESULT %.1f %d %d %d %d\n",
    summary.requests / seconds, latency:percentile(50), latency:percentile(99),
    summary.requests, bad))
end
