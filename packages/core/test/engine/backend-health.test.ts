import { describe, expect, it } from "vitest";
import { MemoryCoordinator } from "../../src/index.js";
import type { CoordinatorHealth } from "../../src/plugin.js";
import { useEngines } from "../support/engine.js";

const engine = useEngines();

/** A memory backend that says its connection is down while `down` is set, and then fails queue reads. */
class ConnectionBackend extends MemoryCoordinator {
  down = false;

  health(): CoordinatorHealth {
    return this.down ? { healthy: false, detail: "connection reconnecting" } : { healthy: true };
  }

  override async queueDepth(): Promise<number> {
    if (this.down) throw new Error("backend unreachable");
    return super.queueDepth();
  }
}

describe("engine health with a backend that reports its own", () => {
  it("reports unhealthy with the backend's reason while it is down, even with an idle worker, and healthy again after", async () => {
    const backend = new ConnectionBackend();
    const fm = engine({ backend });
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => 1 }] });
    await fm.ready();
    expect(await fm.health()).toMatchObject({ backend: "memory", healthy: true, queueDepth: 0 });

    backend.down = true;
    const sick = await fm.health();
    expect(sick).toMatchObject({ healthy: false, detail: "connection reconnecting", queueDepth: 0 });

    backend.down = false;
    const well = await fm.health();
    expect(well.healthy).toBe(true);
    expect(well.detail).toBeUndefined();
  });

  it("reports unhealthy instead of throwing when the queue depth cannot be read", async () => {
    const backend = new MemoryCoordinator();
    backend.queueDepth = () => Promise.reject(new Error("backend unreachable"));
    const fm = engine({ backend });
    await fm.ready();
    expect(await fm.health()).toMatchObject({ healthy: false, detail: "backend unreachable", queueDepth: 0 });
  });
});
