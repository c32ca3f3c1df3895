/** Bad options fail the engine's start with a message naming the option. */
import { describe, expect, it } from "vitest";
import { FlowMeshError } from "@flowmesh/core";
import { prometheus, type PrometheusOptions } from "../src/index.js";
import { useEngines } from "./support/scrape.js";

const engine = useEngines();

async function startError(options: unknown): Promise<FlowMeshError> {
  const error = await engine({ plugins: [prometheus(options as PrometheusOptions)] })
    .ready()
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  if (!(error instanceof FlowMeshError)) throw new Error(`expected a FlowMeshError, got ${String(error)}`);
  return error;
}

describe("options", () => {
  it.each([
    [{ listen: { port: 70000 } }, /option "listen.port"/],
    [{ path: "metrics" }, /option "path": expected a path starting with "\/"/],
    [{ maxWorkflows: 0 }, /option "maxWorkflows"/],
    [{ buckets: { task: [1, 0.5] } }, /option "buckets.task": bucket bounds must be strictly increasing/],
    [{ registry: {} }, /option "registry": expected a prom-client Registry/],
  ])("rejects %j", async (options, message) => {
    const error = await startError(options);
    expect(error.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error.message).toMatch(/plugin "prometheus"/);
    expect(error.message).toMatch(message);
  });

  it("names the address when the listener cannot listen", async () => {
    const first = prometheus({ listen: { port: 0 } });
    await engine({ plugins: [first] }).ready();
    const port = first.metrics!.address!.port;
    const error = await startError({ listen: { port } });
    expect(error.code).toBe("FM_ERR_PLUGIN");
    expect(error.message).toContain(`option "listen": cannot listen on 127.0.0.1:${port}`);
  });

  it("accepts a port given as a string, as config files with ${PORT} give it", async () => {
    const plugin = prometheus({ listen: { port: "0" as unknown as number } });
    await engine({ plugins: [plugin] }).ready();
    expect(plugin.metrics?.address?.port).toBeGreaterThan(0);
  });
});
