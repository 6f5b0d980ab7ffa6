-- wrk script: send pre-signed webhook deliveries, each thread its own share.
--
-- $BENCH_REQUESTS names a file of raw HTTP requests, each preceded by its
-- length as 10 decimal digits. Thread t of $BENCH_THREADS sends requests
-- t, t + threads, t + 2 * threads, ... and starts over at the end of its
-- share, counting each start-over in "wrapped". done() prints one line,
-- "BENCH {json}", with the figures the benchmark reads.

local thread_count = 0
local threads = {}

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(os.getenv("BENCH_REQUESTS"), "rb"))
  local data = file:read("*a")
  file:close()
  local share_count = tonumber(os.getenv("BENCH_THREADS"))
  requests = {}
  local position = 1
  local index = 0
  while position <= #data do
    local length = tonumber(data:sub(position, position + 9))
    if index % share_count == id then
      table.insert(requests, data:sub(position + 10, position + 9 + length))
    end
    index = index + 1
    position = position + 10 + length
  end
  next_request = 0
  wrapped = 0
end

function request()
  next_request = next_request + 1
  if next_request > #requests then
    next_request = 1
    wrapped = wrapped + 1
  end
  return requests[next_request]
end

function done(summary, latency, requests)
  local wrapped_total = 0
  for _, thread in ipairs(threads) do
    wrapped_total = wrapped_total + thread:get("wrapped")
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "status_errors": %d, ' ..
    '"socket_errors": %d, "p50_us": %d, "p99_us": %d, "wrapped": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99), wrapped_total))
end
