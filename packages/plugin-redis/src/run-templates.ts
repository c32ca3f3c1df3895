/**
 * Run templates: what every run of one graph, workflow, version and
 * namespace stores alike (the graph's hash fields, the run's static fields,
 * its root tasks). The create script gets each template once per call, and
 * each run names its template, instead of every run carrying it: a created
 * single-task run's arguments drop from 29 to 9 (a run of the benchmark's
 * 50-task DAG from ~630 to 9; 8 before the eager-start field); measured with callgrind, Redis spent 142k → 126k
 * instructions per created single-task run.
 */
import type { RunGraph } from "@flowmesh/core/plugin";
import { encodeGraph } from "./codec.js";

/** Where a run's template id sits among its create arguments (after the count, id, idempotency key, timeout). */
const TEMPLATE_AT = 4;

export class RunTemplates {
  /** Template ids by graph, then by workflow, version and namespace. */
  private readonly byGraph = new WeakMap<RunGraph, Map<string, string>>();
  /**
   * Template values by id: workflow, namespace, R, R values that are root task index/priority pairs,
   * then field/value pairs.
   */
  private readonly values = new Map<string, readonly string[]>();
  private next = 0;
  /**
   * Forgets a graph's templates once the graph is garbage, so a caller that makes a graph per run
   * leaves nothing behind. A run's graph outlives its create call (the request holds it), so a
   * template is never forgotten while a batch that names it is being sent.
   */
  private readonly forget = new FinalizationRegistry<string>((id) => this.values.delete(id));

  /** Templates kept now. */
  get size(): number {
    return this.values.size;
  }

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
      id = String(this.next++);
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
      this.forget.register(graph, id);
      ids.set(key, id);
    }
    return id;
  }

  /**
   * Cuts a batch of runs' create arguments (each run's count, then its values) into script calls:
   * each call's arguments are the header of the templates its runs name (their number, then each
   * one's id, value count and values) followed by those runs'. A call holds at most `maxArgs`
   * arguments unless one run with its template alone is larger; runs keep their order.
   */
  calls(args: readonly (string | number)[], maxArgs: number): (string | number)[][] {
    const calls: (string | number)[][] = [];
    let used = new Set<string>();
    let header: (string | number)[] = [0];
    let runs: (string | number)[] = [];
    const close = (): void => {
      header[0] = used.size;
      calls.push(header.concat(runs));
      used = new Set();
      header = [0];
      runs = [];
    };
    for (let a = 0; a < args.length;) {
      const end = a + 1 + Number(args[a]);
      const id = String(args[a + TEMPLATE_AT]);
      const template = used.has(id) ? undefined : this.values.get(id)!;
      const size = end - a + (template === undefined ? 0 : 2 + template.length);
      if (runs.length > 0 && header.length + runs.length + size > maxArgs) {
        close();
        continue;
      }
      if (template !== undefined) {
        used.add(id);
        header.push(id, template.length);
        for (const value of template) header.push(value);
      }
      for (let x = a; x < end; x++) runs.push(args[x]!);
      a = end;
    }
    if (runs.length > 0) close();
    return calls;
  }
}
