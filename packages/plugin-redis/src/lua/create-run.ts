/**
 * createRun, for a batch of runs (all those started in one tick). ARGV:
 * prefix, the starting coordinator's id, the hash padding (field `hx`, see
 * create()), then per run: its argument count A and A values — id,
 * idempotency key ('' for none), workflow, namespace, timeoutMs ('' for
 * none), field count F, F field/value pairs (static per graph and per
 * request), then root task index/priority pairs. Runs are created in order, so two starts with one
 * idempotency key in one batch create one run.
 *
 * Returns per run `1, now, deadline` when created (also for a resend of the
 * very same request, whose id already exists), or `0, id, summary fields…`
 * for the run its idempotency key already names: one flat array, each run's
 * values introduced by their count.
 */
export const CREATE_RUN = `
local SUMMARY = { 'wf', 'ver', 'st', 'in', 'err', 'ik', 'rh', 'by', 'ca', 'sa', 'ea', 'dl', 'ns' }
local now = now_ms()
local out, n = {}, 0

local function create(a, last)
  local id, idem, wf, ns, tmo = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local key = run_key(id)
  if redis.call('EXISTS', key) == 1 then
    local f = redis.call('HMGET', key, 'ca', 'dl')
    return { 1, f[1], f[2] or '' }
  end
  if idem ~= '' then
    local existing = redis.call('HGET', P .. 'idem', idem)
    if existing and redis.call('EXISTS', run_key(existing)) == 1 then
      local f = redis.call('HMGET', run_key(existing), unpack(SUMMARY))
      local found = { 0, existing }
      for j = 1, #SUMMARY do found[j + 2] = f[j] or '' end
      return found
    end
    redis.call('HSET', P .. 'idem', idem, id)
  end
  local nfields = tonumber(ARGV[a + 5])
  -- Every run's hash is a hashtable from the start (the padding is longer than hash-max-listpack-value):
  -- a listpack is compact, but every field access scans it, and every script step reads several fields
  -- (a single-task run costs Redis a sixth more as a listpack; the benchmark's 50-task DAG twice as much).
  local fields = { 'st', 'pending', 'ca', int(now), 'hx', ARGV[3] }
  for j = a + 6, a + 5 + nfields * 2 do fields[#fields + 1] = ARGV[j] end
  local deadline = ''
  if tmo ~= '' then
    deadline = int(now + tonumber(tmo))
    fields[#fields + 1] = 'dl'
    fields[#fields + 1] = deadline
    -- The starting engine keeps a deadline timer until it hears of the end.
    fields[#fields + 1] = 'wt'
    fields[#fields + 1] = ARGV[2]
    zadd_later(DEADLINES, deadline, id)
  end
  local roots = a + 6 + nfields * 2
  for j = roots, last, 2 do
    fields[#fields + 1] = 's' .. ARGV[j]
    fields[#fields + 1] = '1'
    fields[#fields + 1] = 'ra' .. ARGV[j]
    fields[#fields + 1] = int(now)
  end
  redis.call('HSET', key, unpack(fields))
  log(events_key(id), 't', 'run:created')
  local created = int(now)
  zadd_later(P .. 'idx:all', created, id)
  zadd_later(P .. 'idx:wf:' .. wf, created, id)
  zadd_later(P .. 'idx:st:active', created, id)
  zadd_later(P .. 'idx:ns:' .. ns, created, id)
  for j = roots, last, 2 do enqueue(id, ARGV[j], ARGV[j + 1], now) end
  return { 1, now, deadline }
end

local function create_all()
  local a = 4
  while a <= #ARGV do
    local count = tonumber(ARGV[a])
    local r = create(a + 1, a + count)
    out[n + 1] = #r
    for x = 1, #r do out[n + 1 + x] = r[x] end
    n = n + 1 + #r
    a = a + 1 + count
  end
end
-- The runs' index and queue entries go in one write per set, also when a later run fails.
flush_after(create_all)
flush_work()
return out
`;
