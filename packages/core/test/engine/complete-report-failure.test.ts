/**
 * A completion the backend could not record (its server was unreachable):
 * the worker stops heartbeating that lease, so it expires and the sweep hands
 * the task out again, instead of the task staying `running` forever.
 */
import { describe, expect, it } from "vitest";
import { MemoryCoordinator } from "../../src/index.js";
import type { CompleteRequest, LeaseRef, OutcomeResult } from "../../src/plugin.js";
import { useEngines } from "../support/engine.js";

const engine = useEngines();

/** The memory backend whose first `complete` fails like a dropped connection. */
class FlakyCompleteCoordinator extends MemoryCoordinator {
  failures = 0;
  heartbeatLeases: string[] = [];

  /** No synchronous fast path: every outcome goes through `complete`, as with a remote backend. */
  override get sync(): undefined {
    return undefined;
  }

  override async complete(lease: LeaseRef, request: CompleteRequest): Promise<OutcomeResult> {
    if (this.failures === 0) {
      this.failures++;
      throw new Error("Connection terminated unexpectedly");
    }
    return super.complete(lease, request);
  }

  override async heartbeat(leases: readonly LeaseRef[], leaseMs: number): Promise<LeaseRef[]> {
    this.heartbeatLeases.push(...leases.map((l) => `${l.task}:${l.token}`));
    return super.heartbeat(leases, leaseMs);
  }
}

describe("a completion that could not be reported", () => {
  it("lets the lease expire and runs the task again", async () => {
    const coordinator = new FlakyCompleteCoordinator();
    const fm = engine({ backend: coordinator, lease: "150ms", sweepInterval: "50ms" });
    const attempts: number[] = [];
    await fm.register({
      name: "job",
      tasks: [{ name: "t", handler: (ctx) => (attempts.push(ctx.attempt), ctx.attempt) }],
    });
    const handle = await fm.start("job");
    expect(await handle.result()).toEqual({ t: 2 });
    expect(attempts).toEqual([1, 2]);
    expect(coordinator.failures).toBe(1);
    // The first attempt's lease (token "1") was never extended after its report failed.
    expect(coordinator.heartbeatLeases.filter((l) => l === "t:1")).toEqual([]);
  });
});
