/**
 * The checkout workflow: one `charge` task per order, all calling the same
 * payments API through the named policy "payments-api" (a circuit breaker and
 * a rate limiter shared by every task that names it).
 */
import { createFlowMesh, type Logger, type RunRecord } from "@flowmesh/core";
import { resilience } from "@flowmesh/plugin-resilience";
import { PaymentsService } from "./payments-service.js";

export interface CheckoutOptions {
  orders?: number;
  /** How long the payments API is down from the start. @default 250 */
  outageMs?: number;
  logger?: Logger;
}

export interface CheckoutResult {
  run: RunRecord;
  /** Calls that reached the payments API (failed ones included). */
  downstreamCalls: { at: number; ok: boolean }[];
  /** Breaker state changes, in order. */
  transitions: string[];
  /** Tasks deferred by the open breaker or the limiter, without using a retry. */
  deferrals: number;
}

export async function runCheckout(options: CheckoutOptions = {}): Promise<CheckoutResult> {
  const payments = new PaymentsService(options.outageMs ?? 250);
  const fm = createFlowMesh({
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    plugins: [
      resilience({
        policies: {
          "payments-api": {
            // Production values are failureThreshold 5 / recoveryTimeout 30 (seconds); shorter here for a quick demo.
            circuitBreaker: { failureThreshold: 3, recoveryTimeout: "300ms" },
            rateLimiter: { maxTokens: 5, refillRate: 20 },
          },
        },
      }),
    ],
  });
  const transitions: string[] = [];
  fm.events.on("circuit:state", (event) => transitions.push(`${event.previous} -> ${event.state}`));
  let deferrals = 0;
  fm.events.on("task:retrying", (event) => {
    if ((event.error as { refundAttempt?: unknown }).refundAttempt === true) deferrals++;
  });
  try {
    const orders = Array.from({ length: options.orders ?? 12 }, (_, i) => ({
      id: `A${100 + i}`,
      amount: 10 * (i + 1),
    }));
    await fm.register({
      name: "checkout",
      timeout: "30s",
      tasks: orders.map((order) => ({
        name: `charge_${order.id}`,
        policies: ["payments-api"],
        retry: { maxRetries: 2, baseDelay: "50ms", jitter: true },
        timeout: "5s",
        handler: () => payments.charge(order.id, order.amount),
      })),
    });
    const run = await (await fm.start("checkout")).wait();
    return { run, downstreamCalls: payments.calls, transitions, deferrals };
  } finally {
    await fm.close();
  }
}

/** A short report of a checkout run. */
export function formatCheckout(result: CheckoutResult): string {
  const tasks = Object.values(result.run.tasks);
  const failedCalls = result.downstreamCalls.filter((c) => !c.ok).length;
  return [
    `checkout run: ${result.run.status} (${tasks.filter((t) => t.status === "succeeded").length}/${tasks.length} orders charged)`,
    `payments API calls: ${result.downstreamCalls.length} (${failedCalls} failed during the outage)`,
    `tasks deferred without using a retry: ${result.deferrals}`,
    `circuit breaker "payments-api": ${result.transitions.join(", ") || "stayed closed"}`,
  ].join("\n");
}
