/**
 * Completes a batch of outcomes (all those reported in one tick; run by the
 * round script), from ARGV[from] on, 7 values each: run id, task index, task
 * name, claim counter, output JSON ('' for undefined), durationMs, skipped
 * ('1'/'0').
 *
 * Each is fenced: 0 (lease lost) unless its token still holds the task.
 * Otherwise the output is stored, every dependent whose last unmet dependency
 * this was is queued (the counter is decremented atomically, so a fan-in task
 * becomes ready exactly once), and the run ends when no task remains: 1, or,
 * when the run ended, `status, startedAt, endedAt`, or (when someone waits
 * for the run) its result as the result script returns it (never fewer than
 * four values). Returns the outcomes' results in order, in one flat array:
 * 0, 1, or the count of the values that follow.
 */
export const COMPLETE_OUTCOMES = `
local function complete_outcomes(from, now)
  local out, n = {}, 0
  for j = from, #ARGV, 7 do
    local id, i, name, k = ARGV[j], ARGV[j + 1], ARGV[j + 2], ARGV[j + 3]
    local output, duration, skipped = ARGV[j + 4], ARGV[j + 5], ARGV[j + 6] == '1'
    local key = run_key(id)
    local F = fields_of(i)
    -- The fence (as holds()), what the commit needs and what ending the run needs, in one read: the
    -- end's fields cost every completion a little, a second command would cost every run end more.
    local f = redis.call('HMGET', key, F.n, F.s, F.k, F.le, F.a, F.dn, F.x, 'rem', 'nf', 'ca', 'dl', 'wt', 'sa')
    if not (f[1] == name and f[2] == '2' and f[3] == k and tonumber(f[4]) > now) then
      n = n + 1
      out[n] = 0
    else
      -- Tasks not finished yet: the run ends with this one when none remain.
      local rem = tonumber(f[8] or '0') - 1
      local ended = false
      local h = { F.s, skipped and '5' or '4', F.ea, int(now), F.du, duration, 'rem', int(rem) }
      -- No output is stored for a running task (retryRun clears the reset tasks' outputs).
      if output ~= '' then
        h[#h + 1] = F.o
        h[#h + 1] = output
      end
      if rem <= 0 then
        ended = tonumber(f[9] or '0') > 0 and 'failed' or 'succeeded'
        h[#h + 1] = 'st'
        h[#h + 1] = ended
        h[#h + 1] = 'ea'
        h[#h + 1] = int(now)
      end
      redis.call('HSET', key, unpack(h))
      -- An error is left only by an earlier attempt that failed.
      if f[7] then redis.call('HDEL', key, F.x) end
      zrem_later(LEASES, id .. '|' .. i)
      local kind = skipped and 'task:skipped' or 'task:succeeded'
      if ended then
        -- One stream entry for the task's event and the run's end that follows it (see decodeEvents).
        log(events_key(id), 't', kind, 'k', name, 'a', f[5], 'd', duration, 'f', 'run:' .. ended)
        -- A run with a task running is running (pending and running share one index anyway).
        move_status_later(id, 'running', ended, f[10])
        if f[11] then zrem_later(DEADLINES, id) end
        if f[12] then
          -- Someone waits for the run: tell every process, and hand its result to this worker's
          -- engine, which may be the one waiting (it need not read it back).
          local r = result_of(key)
          publish_end(ended, id, r)
          out[n + 1] = #r
          for x = 1, #r do out[n + 1 + x] = r[x] end
          n = n + 1 + #r
        else
          -- The run's times, for the worker's log line.
          out[n + 1] = 3
          out[n + 2] = ended
          out[n + 3] = f[13] or ''
          out[n + 4] = int(now)
          n = n + 4
        end
      else
        log(events_key(id), 't', kind, 'k', name, 'a', f[5], 'd', duration)
        if f[6] then
          for d in string.gmatch(f[6], '%d+') do
            if redis.call('HINCRBY', key, 'w' .. d, -1) == 0 then
              local g = redis.call('HMGET', key, 's' .. d, 'p' .. d)
              if g[1] == '0' then
                redis.call('HSET', key, 's' .. d, '1', 'ra' .. d, now)
                enqueue(id, d, g[2], now)
              end
            end
          end
        end
        n = n + 1
        out[n] = 1
      end
    end
  end
  return out
end
local function complete_batch(from, now) return flush_after(complete_outcomes, from, now) end
`;
