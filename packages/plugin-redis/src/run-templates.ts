/**
 * Run templates: what every run of one graph, workflow, version and
 * namespace stores alike (the graph's hash fields, the run's static fields,
 * its root tasks). The create script gets each template once per call, and
 * each run names its template, instead of every run carrying it: a created
 * run's arguments drop from ~27 to ~8, which is most of what parsing them
 * costs Redis and building them costs this process.
 */
import type { RunGraph } from "@flowmesh/core/plugin";
import { encodeGraph } from "./codec.js";

/** Where a run's template id sits among its create arguments (after the count, id, idempotency key, timeout). */
const TEMPLATE_AT = 4;

export class RunTemplates {
  private readonly byGraph = new WeakMap<RunGraph, Map<string, string>>();
  /** Template values by id: workflow, namespace, root pair count R, R root index/priority values, then field/value pairs. */
  private readonly values = new Map<string, readonly string[]>();

  /** The id of the template for runs of `graph` as `workflow`@`version` in `namespace`. */
  idOf(graph: RunGraph, workflow: string, version: string, namespace: string): string {
    let ids = this.byGraph.get(graph);
    if (ids === undefined) {
      ids = new Map();
      this.byGraph.set(graph, ids);
    }
    const key = `${workflow}\u0000${version}\u0000${namespace}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = String(this.values.size);
      const encoded = encodeGraph(graph);
      this.values.set(id, [
        workflow,
        namespace,
        String(encoded.roots.length),
        ...encoded.roots,
        ...encoded.fields,
        "wf",
        workflow,
        "ver",
        version,
        "ns",
        namespace,
      ]);
      ids.set(key, id);
    }
    return id;
  }

  /**
   * The create script's template header for a batch of runs' arguments (each
   * run's count, then its values): the number of templates the batch names,
   * then each one's id, value count and values.
   */
  header(args: readonly (string | number)[]): (string | number)[] {
    const used = new Set<string>();
    for (let a = 0; a < args.length; a += 1 + Number(args[a])) used.add(String(args[a + TEMPLATE_AT]));
    const header: (string | number)[] = [used.size];
    for (const id of used) {
      const values = this.values.get(id)!;
      header.push(id, values.length);
      for (const value of values) header.push(value);
    }
    return header;
  }
}
