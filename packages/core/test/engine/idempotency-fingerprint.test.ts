/**
 * A reused idempotency key is compared on a canonical fingerprint of the
 * input: object key order does not make a different request, values and
 * array order do.
 */
import { describe, expect, it } from "vitest";
import { errorOf, useEngines } from "../support/engine.js";

const engine = useEngines();

async function payEngine() {
  const fm = engine();
  let calls = 0;
  await fm.register({ name: "pay", tasks: [{ name: "charge", handler: () => ++calls }] });
  return { fm, calls: () => calls };
}

describe("idempotency fingerprint", () => {
  it("treats inputs that differ only in object key order as the same request", async () => {
    const { fm, calls } = await payEngine();
    const first = await fm.start("pay", { a: 1, b: 2 }, { idempotencyKey: "k" });
    const second = await fm.start("pay", { b: 2, a: 1 }, { idempotencyKey: "k" });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.id).toBe(first.id);
    await second.result();
    expect(calls()).toBe(1);

    const error = await errorOf(() => fm.start("pay", { a: 1, b: 3 }, { idempotencyKey: "k" }));
    expect(error.code).toBe("FM_ERR_IDEMPOTENCY_CONFLICT");
    expect(error.details).toMatchObject({ runId: first.id, idempotencyKey: "k" });
  });

  it("sorts keys at every depth, inside arrays too, but keeps array order significant", async () => {
    const { fm } = await payEngine();
    const input = {
      order: {
        id: 7,
        lines: [
          { sku: "x", qty: 1 },
          { sku: "y", qty: 2 },
        ],
      },
      customer: "c1",
    };
    const first = await fm.start("pay", input, { idempotencyKey: "deep" });
    const reordered = await fm.start(
      "pay",
      {
        customer: "c1",
        order: {
          lines: [
            { qty: 1, sku: "x" },
            { qty: 2, sku: "y" },
          ],
          id: 7,
        },
      },
      { idempotencyKey: "deep" },
    );
    expect(reordered.created).toBe(false);
    expect(reordered.id).toBe(first.id);

    const swapped = { ...input, order: { ...input.order, lines: [...input.order.lines].reverse() } };
    const error = await errorOf(() => fm.start("pay", swapped, { idempotencyKey: "deep" }));
    expect(error.code).toBe("FM_ERR_IDEMPOTENCY_CONFLICT");
  });
});
