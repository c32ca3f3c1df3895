/**
 * getResult, for a batch of runs (all those read in one tick): what
 * `handle.result()` needs, without the per-task records. An unfinished run is
 * marked awaited (`wt`), so its end is published to every process. ARGV: prefix,
 * run ids. Returns per run 0 when unknown, else `{status, startedAt, endedAt,
 * error JSON, name, output JSON, …}` with the outputs only once the run
 * succeeded ('' for absent values).
 */
export const RESULT = `
local out = {}
for a = 2, #ARGV do
  local key = run_key(ARGV[a])
  local f = redis.call('HMGET', key, 'st', 'sa', 'ea', 'err', 'tn')
  if not f[1] then out[#out + 1] = 0
  else
    local r = { f[1], f[2] or '', f[3] or '', f[4] or '' }
    -- A reader of an unfinished run waits for its end: have it published (atomically with this
    -- read, so an end in between cannot go unheard).
    if not TERMINAL[f[1]] then redis.call('HSET', key, 'wt', '1') end
    if f[1] == 'succeeded' then
      local fields = {}
      for j = 0, tonumber(f[5]) - 1 do
        fields[#fields + 1] = 'n' .. j
        fields[#fields + 1] = 'o' .. j
      end
      local values = redis.call('HMGET', key, unpack(fields))
      for j = 1, #values do r[#r + 1] = values[j] or '' end
    end
    out[#out + 1] = r
  end
end
return out
`;
