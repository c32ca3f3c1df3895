/**
 * prom-client is a peer dependency, loaded when the plugin is set up, with an
 * install hint when it is missing.
 */
import { FlowMeshError } from "@flowmesh/core";
import type * as PromClientNamespace from "prom-client";

export type PromClient = typeof PromClientNamespace;

/** prom-client, or an error saying how to install it. */
export async function loadPromClient(): Promise<PromClient> {
  try {
    const loaded = (await import("prom-client")) as PromClient & { default?: PromClient };
    // CommonJS: the named exports are on the namespace in Node, on `default` in some bundlers.
    return typeof loaded.Registry === "function" ? loaded : (loaded.default ?? loaded);
  } catch (error) {
    throw new FlowMeshError(
      "FM_ERR_PLUGIN",
      '[flowmesh] [plugin-prometheus] needs "prom-client" (a peer dependency): install it with `npm install prom-client@^15`',
      { cause: error, details: { plugin: "prometheus", missing: "prom-client" } },
    );
  }
}
