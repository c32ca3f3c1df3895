/**
 * The per-task and per-run metrics, fed by the engine's events. Series live
 * in small objects found by two map lookups (workflow, then task), created
 * once per label value under the cardinality caps; an event then costs a few
 * field increments.
 */
import type { FlowMeshEventMap, TerminalRunStatus } from "@flowmesh/core";
import { METRICS } from "./catalog.js";
import { runCreatedAt } from "./run-id-time.js";
import { CappedSeries, LabelBudget } from "./collectors/capped-series.js";
import { CounterFamily, type CounterCell } from "./collectors/counter-family.js";
import type { Collector } from "./collectors/collector.js";
import { HistogramFamily, type HistogramCell } from "./collectors/histogram-family.js";

export interface TaskMetricsOptions {
  maxWorkflows: number;
  maxTasks: number;
  buckets: { task: readonly number[]; workflow: readonly number[]; queueWait: readonly number[] };
}

const RUN_STATUSES: readonly TerminalRunStatus[] = ["succeeded", "failed", "cancelled", "timed_out"];

interface TaskSeries {
  readonly succeeded: CounterCell;
  readonly skipped: CounterCell;
  readonly failed: CounterCell;
  readonly duration: HistogramCell;
  readonly retries: CounterCell;
  readonly timeouts: CounterCell;
}

interface WorkflowSeries {
  readonly tasks: CappedSeries<TaskSeries>;
  readonly queueWait: HistogramCell;
  readonly runs: Record<TerminalRunStatus, CounterCell>;
  readonly durations: Record<TerminalRunStatus, HistogramCell>;
  readonly leasesLost: CounterCell;
}

/** Engine event name → listener, as registered (so they can be removed). */
export type EventListeners = { [K in keyof FlowMeshEventMap]?: (event: FlowMeshEventMap[K]) => void };

export class TaskMetrics {
  readonly workflowsTotal = new CounterFamily(METRICS.workflowsTotal.name, METRICS.workflowsTotal.help);
  readonly workflowDuration: HistogramFamily;
  readonly tasksTotal = new CounterFamily(METRICS.tasksTotal.name, METRICS.tasksTotal.help);
  readonly taskDuration: HistogramFamily;
  readonly taskRetries = new CounterFamily(METRICS.taskRetries.name, METRICS.taskRetries.help);
  readonly taskTimeouts = new CounterFamily(METRICS.taskTimeouts.name, METRICS.taskTimeouts.help);
  readonly queueWait: HistogramFamily;
  readonly leasesLost = new CounterFamily(METRICS.leasesLost.name, METRICS.leasesLost.help);
  readonly leaseRecoveries = new CounterFamily(METRICS.leaseRecoveries.name, METRICS.leaseRecoveries.help);
  private readonly recoveries = this.leaseRecoveries.cell({});
  private readonly workflows: CappedSeries<WorkflowSeries>;
  private readonly taskBudget: LabelBudget;

  constructor(options: TaskMetricsOptions) {
    this.workflowDuration = new HistogramFamily(
      METRICS.workflowDuration.name,
      METRICS.workflowDuration.help,
      options.buckets.workflow,
    );
    this.taskDuration = new HistogramFamily(
      METRICS.taskDuration.name,
      METRICS.taskDuration.help,
      options.buckets.task,
    );
    this.queueWait = new HistogramFamily(
      METRICS.queueWait.name,
      METRICS.queueWait.help,
      options.buckets.queueWait,
    );
    this.taskBudget = new LabelBudget(options.maxTasks);
    // Consecutive events mostly share a workflow, rarely a task: only workflows remember the last lookup.
    this.workflows = new CappedSeries(
      new LabelBudget(options.maxWorkflows),
      (workflow) => this.workflowSeries(workflow),
      true,
    );
  }

  /** Every collector, to register. */
  collectors(): Collector[] {
    return [
      this.workflowsTotal,
      this.workflowDuration,
      this.tasksTotal,
      this.taskDuration,
      this.taskRetries,
      this.taskTimeouts,
      this.queueWait,
      this.leasesLost,
      this.leaseRecoveries,
    ];
  }

  /** The engine events this class listens to. */
  listeners(): EventListeners {
    return {
      "task:succeeded": (e) => {
        const workflow = this.workflows.get(e.workflow);
        workflow.queueWait.observe(e.queueWaitMs / 1000);
        const task = workflow.tasks.get(e.task);
        if (e.skipped) {
          task.skipped.value++;
          return;
        }
        task.succeeded.value++;
        task.duration.observe(e.durationMs / 1000);
      },
      "task:failed": (e) => {
        const workflow = this.workflows.get(e.workflow);
        workflow.queueWait.observe(e.queueWaitMs / 1000);
        const task = workflow.tasks.get(e.task);
        task.duration.observe(e.durationMs / 1000);
        if (e.timedOut) task.timeouts.value++;
        if (e.final) task.failed.value++;
      },
      "task:retrying": (e) => {
        this.workflows.get(e.workflow).tasks.get(e.task).retries.value++;
      },
      "task:lease_lost": (e) => {
        const workflow = this.workflows.get(e.workflow);
        workflow.queueWait.observe(e.queueWaitMs / 1000);
        workflow.leasesLost.value++;
      },
      "run:ended": ({ runId, workflow, status }) => {
        const series = this.workflows.get(workflow);
        const counter = series.runs[status] as CounterCell | undefined;
        // Only terminal statuses are announced; a future one is ignored rather than thrown on.
        if (counter === undefined) return;
        counter.value++;
        const createdAt = runCreatedAt(runId);
        if (createdAt !== undefined)
          series.durations[status].observe(Math.max(0, Date.now() - createdAt) / 1000);
      },
      "worker:recovered": ({ leases }) => {
        this.recoveries.value += leases;
      },
    };
  }

  private workflowSeries(workflow: string): WorkflowSeries {
    const runs = {} as Record<TerminalRunStatus, CounterCell>;
    const durations = {} as Record<TerminalRunStatus, HistogramCell>;
    for (const status of RUN_STATUSES) {
      runs[status] = this.workflowsTotal.cell({ workflow, status });
      durations[status] = this.workflowDuration.cell({ workflow, status });
    }
    return {
      tasks: new CappedSeries(this.taskBudget, (task) => this.taskSeries(workflow, task)),
      queueWait: this.queueWait.cell({ workflow }),
      runs,
      durations,
      leasesLost: this.leasesLost.cell({ workflow }),
    };
  }

  private taskSeries(workflow: string, task: string): TaskSeries {
    return {
      succeeded: this.tasksTotal.cell({ workflow, task, status: "succeeded" }),
      skipped: this.tasksTotal.cell({ workflow, task, status: "skipped" }),
      failed: this.tasksTotal.cell({ workflow, task, status: "failed" }),
      duration: this.taskDuration.cell({ workflow, task }),
      retries: this.taskRetries.cell({ workflow, task }),
      timeouts: this.taskTimeouts.cell({ workflow, task }),
    };
  }
}
