-- wrk script: POSTs one ~1 KB chat completion request and prints a machine-readable result.
wrk.method = "POST"
wrk.path = "/v1/chat/completions"
wrk.headers["content-type"] = "application/json"
wrk.body = [[{"model":"demo","messages":[{"role":"system","content":"You are a concise assistant that writes short status updates."},{"role":"user","content":"Summarise the following notes for a weekly engineering update. Summarise the following notes for a weekly engineering update. Summarise the following notes for a weekly engineering update. Summarise the following notes for a weekly engineering update. Summarise the following notes for a weekly engineering update. Summarise the following notes for a weekly engineering update. Summarise the following notes for a weekly engineering update. Summarise the following notes for a weekly engineering update. Summarise the following notes for a weekly engineering update. Summarise the following notes for a weekly engineering update. Summarise the following notes for a weekly engineering update. Summarise the following notes for a weekly engineering update. Summarise the following notes for a weekly engineering update."}],"max_tokens":64,"temperature":0.2}]]

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("AIGW_RESULT %.1f %d %d %d %d\n",
    summary.requests / seconds, latency:percentile(50), latency:percentile(99),
    summary.requests, bad))
end
