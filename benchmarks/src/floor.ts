/**
 * The floor: the fastest reasonable way to run the shape with plain Promises,
 * written the way a tight in-memory engine would be. FlowMesh is measured
 * against it, so whatever FlowMesh costs above it is the engine's overhead
 * (validation, records, events, hooks, retention), not the cost of async work.
 *
 * The graph is compiled once to integer indices. Each run then allocates only
 * what it must: a counter array, an output array, a ready queue, and one
 * continuation per started task (the only way to know which task settled).
 * Tasks receive their dependencies' outputs keyed by name, the same data
 * passing FlowMesh does through `ctx.deps`.
 */
import type { Shape } from "./shape.js";

/** A floor task handler: gets its dependencies' outputs, by task name. */
export type FloorHandler = (deps: Record<string, unknown>) => Promise<unknown>;

/** A compiled graph that can run any number of times, concurrently. */
export interface FloorWorkflow {
  /** Runs the graph once; resolves with every task's output, by name. */
  run(): Promise<Record<string, unknown>>;
}

/** The benchmark's task: a no-op that yields once and returns a small value. */
export const noopHandler: FloorHandler = async () => 1;

/** Compiles `shape` into index tables; every task runs `handler`. */
export function createFloorWorkflow(shape: Shape, handler: FloorHandler = noopHandler): FloorWorkflow {
  const graph = compile(shape, handler);
  return { run: () => new FloorRun(graph).start() };
}

interface CompiledGraph {
  readonly size: number;
  readonly names: readonly string[];
  readonly handlers: readonly FloorHandler[];
  /** For task i, the indices of its dependencies. */
  readonly deps: readonly Int32Array[];
  /** For task i, the indices of the tasks that depend on it. */
  readonly dependents: readonly Int32Array[];
  /** Initial remaining-dependency counters, copied per run. */
  readonly pending: Int32Array;
  /** Tasks with no dependencies, in shape order. */
  readonly roots: Int32Array;
}

class FloorRun {
  private readonly remaining: Int32Array;
  private readonly outputs: unknown[];
  /** Ready queue: every task enters it exactly once, so `size` slots suffice. */
  private readonly queue: Int32Array;
  private head = 0;
  private tail = 0;
  private done = 0;
  private settled = false;
  private resolve!: (outputs: Record<string, unknown>) => void;
  private reject!: (error: unknown) => void;
  /** One rejection handler per run: a failure does not need to know which task it came from. */
  private readonly onError = (error: unknown): void => this.fail(error);

  constructor(private readonly graph: CompiledGraph) {
    this.remaining = graph.pending.slice();
    this.outputs = new Array<unknown>(graph.size);
    this.queue = new Int32Array(graph.size);
  }

  start(): Promise<Record<string, unknown>> {
    const promise = new Promise<Record<string, unknown>>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    if (this.graph.size === 0) {
      this.settled = true;
      this.resolve({});
      return promise;
    }
    const roots = this.graph.roots;
    for (let i = 0; i < roots.length; i++) this.queue[this.tail++] = roots[i]!;
    this.drain();
    return promise;
  }

  private drain(): void {
    const { graph, queue, outputs } = this;
    while (this.head < this.tail) {
      const index = queue[this.head++]!;
      const depIndices = graph.deps[index]!;
      const deps: Record<string, unknown> = {};
      for (let d = 0; d < depIndices.length; d++) {
        const dep = depIndices[d]!;
        deps[graph.names[dep]!] = outputs[dep];
      }
      graph.handlers[index]!(deps).then((output) => this.complete(index, output), this.onError);
    }
  }

  private complete(index: number, output: unknown): void {
    if (this.settled) return;
    this.outputs[index] = output;
    const next = this.graph.dependents[index]!;
    const remaining = this.remaining;
    for (let d = 0; d < next.length; d++) {
      const dependent = next[d]!;
      if (--remaining[dependent]! === 0) this.queue[this.tail++] = dependent;
    }
    if (++this.done === this.graph.size) {
      this.settled = true;
      this.resolve(this.collect());
      return;
    }
    this.drain();
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }

  private collect(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    const { names } = this.graph;
    for (let i = 0; i < names.length; i++) result[names[i]!] = this.outputs[i];
    return result;
  }
}

function compile(shape: Shape, handler: FloorHandler): CompiledGraph {
  const names = shape.tasks.map((task) => task.name);
  const indexOf = new Map(names.map((name, i) => [name, i]));
  const deps = shape.tasks.map(
    (task) =>
      new Int32Array(
        task.dependsOn.map((name) => {
          const index = indexOf.get(name);
          if (index === undefined) throw new Error(`floor: task "${task.name}" depends on unknown "${name}"`);
          return index;
        }),
      ),
  );
  const dependentLists: number[][] = names.map(() => []);
  deps.forEach((list, i) => list.forEach((dep) => dependentLists[dep]!.push(i)));
  const pending = new Int32Array(deps.map((list) => list.length));
  const roots = new Int32Array(names.flatMap((_, i) => (pending[i] === 0 ? [i] : [])));
  return {
    size: names.length,
    names,
    handlers: names.map(() => handler),
    deps,
    dependents: dependentLists.map((list) => new Int32Array(list)),
    pending,
    roots,
  };
}
