/**
 * `new Workflow({ name, tasks })`: the brief's programmatic builder. A
 * `Workflow` is itself a {@link WorkflowDefinitionInput}: register it as is.
 */
import type { Duration } from "../duration.js";
import type { TaskDefinitionInput, WorkflowDefinitionInput } from "../types.js";
import { checkOptionKeys, copyTask, defineWorkflow, WORKFLOW_OPTION_KEYS } from "./define.js";
import type { WorkflowConfig } from "./types.js";

const WORKFLOW_CONFIG_KEYS = [...WORKFLOW_OPTION_KEYS, "tasks"] as const;

/**
 * A workflow from `Task`s (or `task()` functions, or definition objects). As
 * with `workflow()`, a list in which no task declares `dependsOn` runs in list
 * order. Validated at construction.
 *
 * ```ts
 * const etl = new Workflow({ name: "ETL", tasks: [new Task({ name: "extract", func: extract }), ...] });
 * await fm.register(etl);
 * ```
 */
export class Workflow implements WorkflowDefinitionInput {
  // `declare`: only the fields that were given become own properties.
  declare readonly name: string;
  declare readonly version?: string | number;
  declare readonly description?: string;
  declare readonly tasks: TaskDefinitionInput[];
  declare readonly defaults?: WorkflowDefinitionInput["defaults"];
  declare readonly timeout?: Duration;

  constructor(config: WorkflowConfig) {
    const given = (config as { name?: unknown } | null)?.name;
    const where = typeof given === "string" ? `new Workflow "${given}"` : "new Workflow()";
    checkOptionKeys(where, config, WORKFLOW_CONFIG_KEYS);
    const { tasks, ...options } = config;
    Object.assign(this, defineWorkflow(options, tasks));
  }

  /** The definition as a plain object (a copy). */
  toDefinition(): WorkflowDefinitionInput {
    const { tasks, defaults, ...rest } = this;
    return {
      ...rest,
      ...(defaults === undefined ? {} : { defaults: structuredClone(defaults) }),
      tasks: tasks.map(copyTask),
    };
  }
}
