import { chain, claimAll } from "@flowmesh/core/testing";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { RedisCoordinator, SCRIPTS } from "../src/index.js";
import { deletePrefix, quietLogger, REDIS_URL, requireRedis, uniquePrefix } from "./helpers.js";

await requireRedis();
const prefix = uniquePrefix("scripts");
const clients: Redis[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});
afterAll(() => deletePrefix(prefix));

function request(id: string, tasks: string[] = ["a", "b"]) {
  return { id, workflow: "scripts", version: "1", input: null, graph: chain(...tasks), namespace: "default" };
}

describe("Lua scripts", () => {
  it("loads every script once at start and then only calls EVALSHA, never EVAL", async () => {
    const client = new Redis(REDIS_URL);
    clients.push(client);
    const evals = vi.spyOn(client, "eval");
    const evalshas = vi.spyOn(client, "evalsha");
    const c = new RedisCoordinator({ client, keyPrefix: prefix, logger: quietLogger() });
    await c.start();
    const exists = (await client.script("EXISTS", ...Object.values(SCRIPTS).map((s) => s.sha))) as number[];
    expect(exists.every((e) => e === 1)).toBe(true);
    for (let i = 0; i < 5; i++) {
      await c.createRun(request(`s-${i}-${Date.now()}`, ["a"]));
      for (const t of await claimAll(c)) await c.complete(t, { output: i, durationMs: 1 });
    }
    expect(evalshas.mock.calls.length).toBeGreaterThanOrEqual(15);
    expect(evals).not.toHaveBeenCalled();
    await c.close();
    // A client passed in stays open: FlowMesh did not create it.
    expect(await client.ping()).toBe("PONG");
  });

  it("recovers after SCRIPT FLUSH: one EVAL per script that was missing, then EVALSHA again", async () => {
    const client = new Redis(REDIS_URL);
    clients.push(client);
    const c = new RedisCoordinator({ client, keyPrefix: prefix, logger: quietLogger() });
    await c.start();
    await client.script("FLUSH");
    const evals = vi.spyOn(client, "eval");
    const id = `flush-${Date.now()}`;
    await c.createRun(request(id));
    const [a] = await claimAll(c);
    expect(a?.task).toBe("a");
    expect(await c.complete(a!, { output: 1, durationMs: 1 })).toEqual({ ok: true });
    const [b] = await claimAll(c);
    expect(await c.complete(b!, { output: 2, durationMs: 1 })).toMatchObject({
      ok: true,
      runStatus: "succeeded",
    });
    // createRun and the round script (claims and completions) were each re-sent once with EVAL; later rounds were not.
    expect(evals.mock.calls.length).toBe(2);
    expect((await c.getRun(id))?.status).toBe("succeeded");
    await c.close();
  });
});
