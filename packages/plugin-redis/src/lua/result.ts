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
  local r, status = result_of(key)
  if not r then out[#out + 1] = 0
  else
    -- A reader of an unfinished run waits for its end: have it published (atomically with this
    -- read, so an end in between cannot go unheard).
    if not TERMINAL[status] then redis.call('HSET', key, 'wt', '1') end
    out[#out + 1] = r
  end
end
return out
`;
