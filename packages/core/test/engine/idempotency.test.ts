import { describe, expect, it } from "vitest";
import { errorOf, useEngines } from "../support/engine.js";

const engine = useEngines();

describe("idempotency keys", () => {
  it("returns the same run for the same key, with created false, and runs it once", async () => {
    const fm = engine();
    let calls = 0;
    await fm.register({ name: "pay", tasks: [{ name: "charge", handler: () => ++calls }] });
    const first = await fm.start("pay", { amount: 10 }, { idempotencyKey: "order-1" });
    await first.result();
    const second = await fm.start("pay", { amount: 10 }, { idempotencyKey: "order-1" });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.id).toBe(first.id);
    expect(await second.result()).toEqual({ charge: 1 });
    expect(calls).toBe(1);
    expect((await fm.getRun(first.id))!.idempotencyKey).toBe("order-1");
    expect((await fm.listRuns({ workflow: "pay" })).runs).toHaveLength(1);
  });

  it("returns one run to concurrent starts with the same key", async () => {
    const fm = engine();
    let calls = 0;
    await fm.register({ name: "pay", tasks: [{ name: "charge", handler: () => ++calls }] });
    const handles = await Promise.all(
      [1, 2, 3].map(() => fm.start("pay", { amount: 5 }, { idempotencyKey: "k" })),
    );
    expect(new Set(handles.map((h) => h.id)).size).toBe(1);
    expect(handles.filter((h) => h.created)).toHaveLength(1);
    await handles[0]!.result();
    expect(calls).toBe(1);
  });

  it("starts separate runs for different keys", async () => {
    const fm = engine();
    await fm.register({ name: "pay", tasks: [{ name: "charge", handler: () => 1 }] });
    const a = await fm.start("pay", {}, { idempotencyKey: "a" });
    const b = await fm.start("pay", {}, { idempotencyKey: "b" });
    expect(a.id).not.toBe(b.id);
    expect(b.created).toBe(true);
  });

  it("rejects the same key with a different input with FM_ERR_IDEMPOTENCY_CONFLICT", async () => {
    const fm = engine();
    await fm.register({ name: "pay", tasks: [{ name: "charge", handler: () => 1 }] });
    const first = await fm.start("pay", { amount: 10 }, { idempotencyKey: "order-2" });
    const error = await errorOf(() => fm.start("pay", { amount: 99 }, { idempotencyKey: "order-2" }));
    expect(error.code).toBe("FM_ERR_IDEMPOTENCY_CONFLICT");
    expect(error.message).toContain('"order-2"');
    expect(error.message).toContain(first.id);
    expect(error.details).toMatchObject({ runId: first.id, idempotencyKey: "order-2" });
  });

  it("rejects the same key for a different workflow with FM_ERR_IDEMPOTENCY_CONFLICT", async () => {
    const fm = engine();
    await fm.register({ name: "pay", tasks: [{ name: "charge", handler: () => 1 }] });
    await fm.register({ name: "refund", tasks: [{ name: "give_back", handler: () => 1 }] });
    await fm.start("pay", { amount: 10 }, { idempotencyKey: "order-3" });
    const error = await errorOf(() => fm.start("refund", { amount: 10 }, { idempotencyKey: "order-3" }));
    expect(error.code).toBe("FM_ERR_IDEMPOTENCY_CONFLICT");
    expect(error.message).toContain("workflow");
  });

  it("compares the caller's input, not what a beforeWorkflow hook made of it", async () => {
    const fm = engine();
    let calls = 0;
    let seq = 0;
    // A hook that stamps each request, as an auth or tracing plugin might.
    fm.hooks.beforeWorkflow.tap("stamp", (info) => {
      info.input = { ...(info.input as object), receivedSeq: ++seq };
    });
    await fm.register({ name: "pay", tasks: [{ name: "charge", handler: () => ++calls }] });
    const first = await fm.start("pay", { amount: 10 }, { idempotencyKey: "order-9" });
    await first.result();
    const again = await fm.start("pay", { amount: 10 }, { idempotencyKey: "order-9" });
    expect(again.id).toBe(first.id);
    expect(again.created).toBe(false);
    expect(calls).toBe(1);
  });
});
