/**
 * The benchmark workflow's shape, shared by the floor and FlowMesh so both run
 * exactly the same graph: `levels` levels of `width` tasks, every task of level
 * L > 0 depending on all tasks of level L - 1 (a full bipartite join between
 * consecutive levels, so each task receives `width` dependency outputs).
 */

/** One task of the shape: its name and the names it depends on. */
export interface ShapeTask {
  /** `l{level}_t{i}`. */
  readonly name: string;
  readonly dependsOn: readonly string[];
}

/** The whole shape, tasks in topological order (level by level). */
export interface Shape {
  readonly levels: number;
  readonly width: number;
  readonly tasks: readonly ShapeTask[];
}

/** The shape the product brief fixes: 50 tasks in 10 levels of 5. */
export const DEFAULT_LEVELS = 10;
export const DEFAULT_WIDTH = 5;

/** Builds the layered shape; the default is the brief's 10 × 5. */
export function buildShape(levels: number = DEFAULT_LEVELS, width: number = DEFAULT_WIDTH): Shape {
  const tasks: ShapeTask[] = [];
  for (let level = 0; level < levels; level++) {
    const dependsOn = level === 0 ? [] : levelNames(level - 1, width);
    for (let i = 0; i < width; i++) tasks.push({ name: taskName(level, i), dependsOn });
  }
  return { levels, width, tasks };
}

function taskName(level: number, i: number): string {
  return `l${level}_t${i}`;
}

function levelNames(level: number, width: number): string[] {
  return Array.from({ length: width }, (_, i) => taskName(level, i));
}
