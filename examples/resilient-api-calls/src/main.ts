/**
 * Charges 12 orders against a payments API that is down for the first
 * 250 ms. The "payments-api" policy opens its breaker after 3 failures, so
 * the other orders wait instead of hammering the API (and keep their
 * retries); once it half-opens and a trial call succeeds, the rest go
 * through at the limiter's pace. Exit code 0 when every order was charged.
 */
import { createLogger } from "@flowmesh/core";
import { formatCheckout, runCheckout } from "./checkout.js";

const result = await runCheckout({ logger: createLogger({ level: "warn" }) });
console.log(formatCheckout(result));
process.exitCode = result.run.status === "succeeded" ? 0 : 1;
