import { CLAIM_TASKS } from "./claim.js";

/**
 * createRun, for a batch of runs (all those started in one tick). ARGV:
 * prefix, the hash padding (field `hx`, see create()), the run templates
 * (see run-templates.ts: their count, then per template its id, value count
 * V and V values — workflow, namespace, R, R values that are root task
 * index/priority pairs, then static field/value pairs), then per run: its argument count A and A values — id, idempotency
 * key ('' for none), timeoutMs ('' for none), template id, eager start
 * (`<max>:<leaseMs>`: lease up to max roots to the caller, highest priority
 * first; '' for none), field count F, F field/value pairs of its own. Runs
 * are created in order, so two starts with one idempotency key in one batch
 * create one run.
 *
 * Returns per run `1, now, deadline` when created (also for a resend of the
 * very same request, whose id already exists), followed by the leased roots'
 * claim entries (as the claim script returns them) for an eager start, or
 * `0, id, summary fields…` for the run its idempotency key already names: one
 * flat array, each run's values introduced by their count.
 */
export const CREATE_RUN = `${CLAIM_TASKS}
local SUMMARY = { 'wf', 'ver', 'st', 'in', 'err', 'ik', 'rh', 'by', 'ca', 'sa', 'ea', 'dl', 'ns' }
local now = now_ms()
local out, n = {}, 0
local TEMPLATES = {}

-- Reads the template at ARGV[a]; returns where the next one starts.
local function read_template(a)
  local v = a + 1
  local last = v + tonumber(ARGV[v])
  local t = { wf = ARGV[v + 1], ns = ARGV[v + 2], roots = {}, fields = {} }
  local first_field = v + 4 + tonumber(ARGV[v + 3])
  for x = v + 4, first_field - 1, 2 do
    local i = ARGV[x]
    -- Root task index, priority, and the names of its status and ready-time fields.
    t.roots[#t.roots + 1] = { i, ARGV[x + 1], 's' .. i, 'ra' .. i }
  end
  for x = first_field, last do t.fields[#t.fields + 1] = ARGV[x] end
  -- An eager start leases the highest priority roots first (then in plan order).
  t.by_priority = {}
  for x, root in ipairs(t.roots) do t.by_priority[x] = root end
  table.sort(t.by_priority, function(a, b)
    local pa, pb = tonumber(a[2]), tonumber(b[2])
    if pa ~= pb then return pa > pb end
    return tonumber(a[1]) < tonumber(b[1])
  end)
  TEMPLATES[ARGV[a]] = t
  return last + 1
end

local function create(a)
  local id, idem, tmo = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local t = TEMPLATES[ARGV[a + 3]]
  if not t then error('flowmesh: run ' .. id .. ' names an unknown template ' .. ARGV[a + 3]) end
  -- Checked before anything is written: a bad value must not leave a run whose roots nobody queues.
  local max, lease_ms = 0, 0
  if ARGV[a + 4] ~= '' then
    max, lease_ms = string.match(ARGV[a + 4], '^(%d+):(%d+)$')
    if not max then error('flowmesh: run ' .. id .. ': bad eager start ' .. ARGV[a + 4]) end
    max, lease_ms = tonumber(max), tonumber(lease_ms)
  end
  local wf, ns = t.wf, t.ns
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
  -- Every run's hash is a hashtable from the start (the padding is longer than hash-max-listpack-value):
  -- a listpack is compact, but every field access scans it, and every script step reads several fields
  -- (a single-task run costs Redis a sixth more as a listpack; the benchmark's 50-task DAG twice as much).
  local created = int(now)
  local fields = { 'st', 'pending', 'ca', created, 'hx', ARGV[2] }
  local m = #fields
  for x = 1, #t.fields do fields[m + x] = t.fields[x] end
  m = m + #t.fields
  for j = a + 6, a + 5 + tonumber(ARGV[a + 5]) * 2 do
    m = m + 1
    fields[m] = ARGV[j]
  end
  local deadline = ''
  if tmo ~= '' then
    deadline = int(now + tonumber(tmo))
    -- The starting engine keeps a deadline timer until it hears of the end.
    fields[m + 1], fields[m + 2], fields[m + 3], fields[m + 4] = 'dl', deadline, 'wt', '1'
    m = m + 4
    zadd_later(DEADLINES, deadline, id)
  end
  for _, root in ipairs(t.roots) do
    fields[m + 1], fields[m + 2], fields[m + 3], fields[m + 4] = root[3], '1', root[4], created
    m = m + 4
  end
  redis.call('HSET', key, unpack(fields))
  log(events_key(id), 't', 'run:created')
  zadd_later(P .. 'idx:all', created, id)
  zadd_later(P .. 'idx:wf:' .. wf, created, id)
  zadd_later(P .. 'idx:st:active', created, id)
  zadd_later(P .. 'idx:ns:' .. ns, created, id)
  if max == 0 then
    for _, root in ipairs(t.roots) do enqueue(id, root[1], root[2], now) end
    return { 1, now, deadline }
  end
  -- Eager start: the caller's worker takes roots now, as a claim would; the rest are queued.
  local r, n, leased = { 1, now, deadline }, 3, 0
  for _, root in ipairs(t.by_priority) do
    if leased < max then
      pad_leases()
      n = lease_task(id .. '|' .. root[1], id, root[1], now, lease_ms, r, n)
      leased = leased + 1
    else
      enqueue(id, root[1], root[2], now)
    end
  end
  return r
end

local function create_all()
  local a = 4
  for _ = 1, tonumber(ARGV[3]) do a = read_template(a) end
  while a <= #ARGV do
    local count = tonumber(ARGV[a])
    local r = create(a + 1)
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
