import { chain, claimAll, compareEventIds } from "@flowmesh/core/testing";
import { describe, expect, it } from "vitest";
import { redisTestKit, requireRedis } from "./helpers.js";

await requireRedis();
const kit = redisTestKit("events");
const coordinator = () => kit.coordinator();

describe("the event log's two-event entries", () => {
  it("writes a run's start with its first task and its end with its last task, and resumes exactly after either", async () => {
    const c = await coordinator();
    const id = `two-${Date.now()}`;
    await c.createRun({
      id,
      workflow: "events",
      version: "1",
      input: 1,
      graph: chain("a"),
      namespace: "default",
    });
    const [claimed] = await claimAll(c);
    expect(await c.complete(claimed!, { output: 1, durationMs: 3 })).toMatchObject({
      ok: true,
      runStatus: "succeeded",
    });

    const events = await c.readEvents(id);
    expect(events.map((e) => e.type)).toEqual([
      "run:created",
      "run:started",
      "task:started",
      "task:succeeded",
      "run:succeeded",
    ]);
    // Five events in three stream entries: one XADD each for created, started and ended.
    expect(await kit.raw().xlen(`${kit.prefix}:run:{${id}}:ev`)).toBe(3);
    expect(events[2]).toMatchObject({ task: "a", attempt: 1 });
    expect(events[3]).toMatchObject({ task: "a", attempt: 1, durationMs: 3 });
    expect(events[1]?.task).toBeUndefined();
    expect(events[4]?.task).toBeUndefined();
    expect(events[2]?.id).toBe(`${events[1]!.id}-1`);
    expect(events[4]?.id).toBe(`${events[3]!.id}-1`);
    for (let k = 1; k < events.length; k++)
      expect(compareEventIds(events[k - 1]!.id, events[k]!.id)).toBe(-1);

    for (let k = 0; k < events.length; k++) {
      expect(await c.readEvents(id, { after: events[k]!.id })).toEqual(events.slice(k + 1));
    }
    // Paging one event at a time splits entries and still yields every event once, in order.
    const paged = [];
    let after: string | undefined;
    for (;;) {
      const page = await c.readEvents(id, { after, limit: 1 });
      if (page.length === 0) break;
      expect(page).toHaveLength(1);
      paged.push(page[0]!);
      after = page[0]!.id;
    }
    expect(paged).toEqual(events);
  });

  it("refuses an id that is not one of its event ids, naming the option", async () => {
    const c = await coordinator();
    await expect(c.readEvents("any", { after: "1700000000000-0-2" })).rejects.toThrow(
      /"after" must be an event id/,
    );
    await expect(c.readEvents("any", { after: "1700000000000-0.1" })).rejects.toMatchObject({
      code: "FM_ERR_INVALID_OPTIONS",
    });
  });
});
