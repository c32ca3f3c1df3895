import { FlowMeshError } from "../errors.js";
import type { RunResult } from "../backend/types.js";
import type { RunRecord } from "../types.js";

/** The part of the engine a handle needs. */
export interface RunHandleHost {
  waitForRun(runId: string): Promise<RunRecord>;
  /** Waits for the run to finish; resolves with its status and outputs. */
  waitForResult(runId: string): Promise<RunResult>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  cancel(runId: string, reason?: string): Promise<RunRecord>;
}

/** A started run. */
export class RunHandle {
  constructor(
    /** The run's id. */
    readonly id: string,
    /** False when an idempotency key matched an existing run. */
    readonly created: boolean,
    private readonly host: RunHandleHost,
  ) {}

  /** Resolves with the final run record whatever its status. */
  wait(): Promise<RunRecord> {
    return this.host.waitForRun(this.id);
  }

  /**
   * Resolves with every task's output by name once the run succeeded; rejects
   * with `FM_ERR_RUN_FAILED` (carrying the record in `details.run`) otherwise.
   */
  async result<T extends Record<string, unknown> = Record<string, unknown>>(): Promise<T> {
    const result = await this.host.waitForResult(this.id);
    if (result.status === "succeeded") return result.outputs as T;
    throw runFailedError(await this.status());
  }

  /** The run record now. */
  async status(): Promise<RunRecord> {
    const run = await this.host.getRun(this.id);
    if (run === undefined) throw new FlowMeshError("FM_ERR_UNKNOWN_RUN", `no run with id "${this.id}"`);
    return run;
  }

  /** Cancels the run: pending tasks never start, running ones see their signal abort. */
  cancel(reason?: string): Promise<RunRecord> {
    return this.host.cancel(this.id, reason);
  }
}

function runFailedError(run: RunRecord): FlowMeshError {
  const cause = run.error;
  const where = cause?.task === undefined ? "" : `: task "${cause.task}" failed`;
  const why = cause === undefined ? "" : `: ${cause.message}`;
  return new FlowMeshError(
    "FM_ERR_RUN_FAILED",
    `run ${run.id} of workflow "${run.workflow}" ${run.status}${where}${why}`,
    {
      cause,
      details: { runId: run.id, status: run.status, task: cause?.task, run },
    },
  );
}
