import { FlowMeshError } from "../errors.js";
import type { WorkflowPlan } from "../model/plan.js";
import type { TaskHandler } from "../types.js";

/** A registered workflow version: its plan and each task's final (resolved, wrapped) handler by plan index. */
export interface RegisteredWorkflow {
  readonly plan: WorkflowPlan;
  readonly handlers: readonly TaskHandler[];
}

/** Workflows by name, then version. The latest registered version is the default for new runs. */
export class WorkflowRegistry {
  private readonly byName = new Map<string, Map<string, RegisteredWorkflow>>();
  private readonly latest = new Map<string, RegisteredWorkflow>();

  add(workflow: RegisteredWorkflow): void {
    const { name, version } = workflow.plan;
    let versions = this.byName.get(name);
    if (versions === undefined) {
      versions = new Map();
      this.byName.set(name, versions);
    }
    versions.set(version, workflow);
    this.latest.set(name, workflow);
  }

  /** The exact version, for running claimed tasks. */
  find(name: string, version: string): RegisteredWorkflow | undefined {
    return this.byName.get(name)?.get(version);
  }

  /** The given version or the latest, if registered. */
  get(name: string, version?: string): RegisteredWorkflow | undefined {
    return version === undefined ? this.latest.get(name) : this.find(name, version);
  }

  /** The given version or the latest; throws `FM_ERR_UNKNOWN_WORKFLOW` naming what is registered. */
  resolve(name: string, version?: string): RegisteredWorkflow {
    const found = version === undefined ? this.latest.get(name) : this.find(name, version);
    if (found !== undefined) return found;
    const known = [...this.byName.keys()].map((n) => JSON.stringify(n)).join(", ") || "none";
    const what = version === undefined ? `"${name}"` : `"${name}" version "${version}"`;
    throw new FlowMeshError(
      "FM_ERR_UNKNOWN_WORKFLOW",
      `no workflow ${what} is registered (registered: ${known})`,
      {
        details: { workflow: name, version },
      },
    );
  }

  list(): RegisteredWorkflow[] {
    return [...this.byName.values()].flatMap((versions) => [...versions.values()]);
  }
}
