import { CLAIM_TASKS } from "./claim.js";
import { COMPLETE_OUTCOMES } from "./complete.js";

/**
 * round: a worker's reported outcomes and its next claim in one call. ARGV:
 * prefix, max (0 for no claim), leaseMs, then outcomes as complete takes them
 * (7 values each). The outcomes are committed first, so a dependent they made
 * ready can be claimed in the same call. Returns `{outcome results, claimed, outcomes error,
 * claim error}`, the errors '' when that part succeeded.
 *
 * One call per round matters beyond the saved round trip: Redis answers the
 * commands it read together only after running them all, so a claim sent
 * beside a completion waits for it anyway; merged, the worker holds one
 * request in flight per batch and Redis never sits on a finished claim.
 */
export const ROUND = `${COMPLETE_OUTCOMES}${CLAIM_TASKS}
local now = now_ms()
-- Each part fails alone: the outcomes' results (or error) and the claim's tasks (or error) are
-- reported apart, so an error in one never hides what the other committed.
local done_ok, done = pcall(complete_batch, 4, now)
local max = tonumber(ARGV[2])
local claim_ok, claimed = true, {}
if max > 0 then claim_ok, claimed = pcall(claim_batch, max, tonumber(ARGV[3]), now) end
-- Wake idle workers for the tasks the outcomes made ready, unless this claim took them all.
if work and redis.call('ZCARD', READY) > 0 then redis.call('PUBLISH', SIGNALS, 'w') end
return { done_ok and done or {}, claim_ok and claimed or {}, done_ok and '' or tostring(done),
  claim_ok and '' or tostring(claimed) }
`;
