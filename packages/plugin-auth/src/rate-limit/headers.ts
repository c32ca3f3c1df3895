/**
 * Rate-limit response headers in the IETF httpapi format of
 * draft-ietf-httpapi-ratelimit-headers-10 (structured fields, named policies):
 * `RateLimit-Policy: "principal";q=100;w=60` and `RateLimit: "principal";r=42;t=12`.
 * `t` is the seconds until the bucket is full again; on a 429 it is the
 * `Retry-After` value, so both name the same moment, as the draft asks.
 */
import type { BucketPolicy, RateLimitDecision } from "./types.js";

/** Sets `RateLimit-Policy`, `RateLimit` and, when refused, `Retry-After`. */
export function setRateLimitHeaders(
  headers: Headers,
  policy: BucketPolicy,
  decision: RateLimitDecision,
): void {
  headers.set("RateLimit-Policy", `"${policy.name}";q=${policy.requestsPerMinute};w=60`);
  const t = decision.allowed ? decision.resetSeconds : decision.retryAfterSeconds;
  headers.set("RateLimit", `"${policy.name}";r=${decision.remaining};t=${t}`);
  if (!decision.allowed) headers.set("Retry-After", String(decision.retryAfterSeconds));
}
