/**
 * getResult, for a batch of runs (all those read in one tick): what
 * `handle.result()` needs, without the per-task records. An unfinished run is
 * marked awaited (`wt`: this coordinator's id, or `*` once another's is there), so its end
 * is published. ARGV: prefix, the reading coordinator's id, run ids. Returns per run 0 when unknown, else `{status, startedAt, endedAt,
 * error JSON, name, output JSON, …}` with the outputs only once the run
 * succeeded ('' for absent values).
 */
export const RESULT = `
local me = ARGV[2]
local out = {}
for a = 3, #ARGV do
  local key = run_key(ARGV[a])
  local r, status = result_of(key)
  if not r then out[#out + 1] = 0
  else
    -- A reader of an unfinished run waits for its end: have it published (atomically with this
    -- read, so an end in between cannot go unheard).
    if not TERMINAL[status] then
      local wt = redis.call('HGET', key, 'wt')
      if not wt then redis.call('HSET', key, 'wt', me)
      elseif wt ~= me and wt ~= '*' then redis.call('HSET', key, 'wt', '*') end
    end
    out[#out + 1] = r
  end
end
return out
`;
