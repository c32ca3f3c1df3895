/**
 * heartbeat. ARGV: prefix, leaseMs, then runId/name/token triples. Extends
 * every lease that still holds its task; returns the positions (0-based) of
 * those that do not.
 */
export const HEARTBEAT = `
local lease_ms = tonumber(ARGV[2])
local now = now_ms()
local lost = {}
for j = 3, #ARGV, 3 do
  local id, name = ARGV[j], ARGV[j + 1]
  local i, k = parse_token(ARGV[j + 2])
  local key = run_key(id)
  if i and holds(key, i, name, k, now) then
    redis.call('HSET', key, 'le' .. i, now + lease_ms)
    redis.call('ZADD', LEASES, 'XX', now + lease_ms, id .. '|' .. i)
  else
    lost[#lost + 1] = (j - 3) / 3
  end
end
return lost
`;
