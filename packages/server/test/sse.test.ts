import { createFlowMesh, createLogger, MemoryCoordinator, type RunRecord } from "@flowmesh/core";
import { describe, expect, it } from "vitest";
import { useServers } from "./support.js";

const serve = useServers();

interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** Reads an SSE body message by message. */
function reader(res: Response) {
  const body = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return {
    async next(): Promise<SseMessage | undefined> {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const message: SseMessage = {};
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) message.comment = line.slice(1).trim();
            else {
              const [field, ...rest] = line.split(": ");
              (message as Record<string, string>)[field!] = rest.join(": ");
            }
          }
          return message;
        }
        const { done, value } = (await body.read()) as { done: boolean; value?: Uint8Array };
        if (done) return undefined;
        buffer += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => body.cancel(),
  };
}

/** A workflow whose `gate` task waits until the test opens it. */
function gated() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    open: () => open(),
    definition: {
      name: "gated",
      tasks: [
        { name: "first", handler: () => "one" },
        { name: "gate", dependsOn: ["first"], handler: () => opened.then(() => "two") },
      ],
    },
  };
}

describe("GET /runs/{id}/events", () => {
  it("replays the log, streams live events with the backend's ids and ends after the terminal event", async () => {
    const { call, engine } = await serve({}, { ssePollMs: 60_000 });
    const gate = gated();
    await engine.register(gate.definition);
    const run = (await (
      await call("/runs", { method: "POST", json: { workflow: "gated" } })
    ).json()) as RunRecord;
    const res = await call(`/runs/${run.id}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const sse = reader(res);
    const seen: SseMessage[] = [];
    // Until the gate task started, everything comes from the replay or live in-process wake-ups (polling is off).
    while (!seen.some((m) => m.event === "task:started" && m.data?.includes('"gate"'))) {
      const message = await sse.next();
      if (message?.event !== undefined) seen.push(message);
    }
    gate.open();
    for (;;) {
      const message = await sse.next();
      if (message === undefined) break;
      if (message.event !== undefined) seen.push(message);
    }
    expect(seen.map((m) => m.event)).toEqual([
      "run:created",
      "run:started",
      "task:started",
      "task:succeeded",
      "task:started",
      "task:succeeded",
      "run:succeeded",
    ]);
    const log = await engine.readEvents(run.id);
    expect(seen.map((m) => m.id)).toEqual(log.map((e) => e.id));
    expect(JSON.parse(seen[3]!.data!)).toMatchObject({
      type: "task:succeeded",
      task: "first",
      runId: run.id,
    });
  });

  it("resumes after Last-Event-ID, and ends at once when resumed after the terminal event", async () => {
    const { call, engine } = await serve();
    await engine.register({ name: "quick", tasks: [{ name: "a", handler: () => 1 }] });
    const run = (await (
      await call("/runs", { method: "POST", json: { workflow: "quick" } })
    ).json()) as RunRecord;
    await engine.waitForRun(run.id);
    const log = await engine.readEvents(run.id);
    const resumed = reader(
      await call(`/runs/${run.id}/events`, { headers: { "last-event-id": log[2]!.id } }),
    );
    const ids: string[] = [];
    for (let m = await resumed.next(); m !== undefined; m = await resumed.next())
      if (m.id !== undefined) ids.push(m.id);
    expect(ids).toEqual(log.slice(3).map((e) => e.id));

    const viaQuery = reader(await call(`/runs/${run.id}/events?after=${log[3]!.id}`));
    const rest: string[] = [];
    for (let m = await viaQuery.next(); m !== undefined; m = await viaQuery.next())
      if (m.id !== undefined) rest.push(m.id);
    expect(rest).toEqual(log.slice(4).map((e) => e.id));

    const atEnd = reader(
      await call(`/runs/${run.id}/events`, { headers: { "last-event-id": log.at(-1)!.id } }),
    );
    expect(await atEnd.next()).toBeUndefined();

    const bad = await call(`/runs/${run.id}/events`, { headers: { "last-event-id": "nonsense" } });
    expect(bad.status).toBe(422);
    expect((await call("/runs/missing/events")).status).toBe(404);
  });

  it("sends heartbeat comments while the run is idle, and stops when the client goes away", async () => {
    const { call, engine } = await serve({}, { sseHeartbeatMs: 30 });
    const gate = gated();
    await engine.register(gate.definition);
    const run = (await (
      await call("/runs", { method: "POST", json: { workflow: "gated" } })
    ).json()) as RunRecord;
    const sse = reader(await call(`/runs/${run.id}/events`));
    let heartbeats = 0;
    while (heartbeats < 2) {
      const message = await sse.next();
      if (message?.comment === "heartbeat") heartbeats++;
    }
    await sse.cancel();
    gate.open();
    expect((await engine.waitForRun(run.id)).status).toBe("succeeded");
  });

  it("picks up events written by another engine's worker through polling", async () => {
    const backend = new MemoryCoordinator();
    const { call } = await serve({ backend, worker: false }, { ssePollMs: 20 });
    const worker = createFlowMesh({ backend, logger: createLogger({ level: "silent" }) });
    try {
      const gate = gated();
      await worker.register(gate.definition);
      const handle = await worker.start("gated");
      const sse = reader(await call(`/runs/${handle.id}/events`));
      const types: string[] = [];
      let opened = false;
      for (let m = await sse.next(); m !== undefined; m = await sse.next()) {
        if (m.event !== undefined) types.push(m.event);
        if (!opened && m.event === "task:started" && m.data?.includes('"gate"')) {
          opened = true;
          gate.open();
        }
      }
      expect(types.slice(-2)).toEqual(["task:succeeded", "run:succeeded"]);
    } finally {
      await worker.close();
    }
  });
});
