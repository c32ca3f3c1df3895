/**
 * One frame of the TTY view, as lines of text: a header for the run, then
 * the tasks in topological order, indented by depth, each with its status,
 * attempt and duration (elapsed time while it runs). Pure: `now` and the
 * terminal size are inputs, so frames can be tested as strings.
 */
import type { RunStatus, TaskStatus } from "@flowmesh/core";
import { firstLine, formatDuration, paint, truncate, type Color } from "./format.js";
import type { RunView, TaskView } from "./run-view.js";

/** How to draw a frame. */
export interface FrameOptions {
  /** Current time (epoch ms), for the elapsed time of running tasks and the spinner. */
  now: number;
  /** Terminal width: longer lines are cut so they never wrap. @default 80 */
  columns?: number;
  /** Terminal height: a taller frame lists the first tasks and a summary line. @default 24 */
  rows?: number;
  /** ANSI colours. @default false */
  color?: boolean;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

const TASK_ICONS: Record<TaskStatus, [string, Color]> = {
  pending: ["○", "gray"],
  ready: ["◌", "gray"],
  running: ["", "cyan"],
  retrying: ["↻", "yellow"],
  succeeded: ["✔", "green"],
  skipped: ["↷", "gray"],
  failed: ["✖", "red"],
  upstream_failed: ["⊘", "gray"],
  cancelled: ["■", "gray"],
};

const RUN_ICONS: Record<RunStatus, [string, Color]> = {
  pending: ["○", "gray"],
  running: ["", "cyan"],
  succeeded: ["✔", "green"],
  failed: ["✖", "red"],
  cancelled: ["■", "yellow"],
  timed_out: ["⌛", "red"],
};

/** Width of the status column ("upstream_failed" is the longest). */
const STATUS_WIDTH = 15;

/** The frame's lines (no trailing newline). */
export function renderFrame(view: RunView, options: FrameOptions): string[] {
  const columns = Math.max(20, options.columns ?? 80);
  const rows = Math.max(3, options.rows ?? 24);
  const color = options.color ?? false;
  const spinner = SPINNER[Math.floor(options.now / 80) % SPINNER.length]!;
  const nameWidth = Math.min(
    40,
    Math.max(...view.tasks.map((task) => task.depth * 2 + [...task.name].length), 4),
  );
  const lines = [header(view, options.now, columns, color, spinner)];
  // One line stays free for the cursor, so the frame never scrolls the terminal.
  const room = rows - 2;
  const shown = view.tasks.length <= room ? view.tasks : view.tasks.slice(0, room - 1);
  for (const task of shown) lines.push(taskLine(task, options.now, columns, color, spinner, nameWidth));
  if (shown.length < view.tasks.length) lines.push(moreLine(view.tasks.slice(shown.length), columns, color));
  return lines;
}

function header(view: RunView, now: number, columns: number, color: boolean, spinner: string): string {
  const [icon, iconColor] = RUN_ICONS[view.status];
  const start = view.startedAt ?? view.createdAt;
  const elapsed = formatDuration((view.endedAt ?? now) - start);
  const version = view.version === "" ? "" : ` v${view.version}`;
  const text = `${view.workflow}${version}  ${view.status.replace("_", " ")}  ${elapsed}  run ${view.runId}`;
  return `${paint(icon || spinner, iconColor, color)} ${paint(truncate(text, columns - 3), "bold", color)}`;
}

function taskLine(
  task: TaskView,
  now: number,
  columns: number,
  color: boolean,
  spinner: string,
  nameWidth: number,
): string {
  const [icon, iconColor] = TASK_ICONS[task.status];
  const indent = "  ".repeat(task.depth);
  const name = task.name.padEnd(nameWidth - indent.length);
  const status = task.status.replace("_", " ").padEnd(STATUS_WIDTH);
  const attempt = task.attempt === 0 ? "".padEnd(10) : `attempt ${task.attempt}`.padEnd(10);
  const time =
    task.status === "running" && task.startedAt !== undefined
      ? formatDuration(now - task.startedAt)
      : task.durationMs === undefined
        ? ""
        : formatDuration(task.durationMs);
  const error =
    task.error !== undefined && (task.status === "failed" || task.status === "retrying")
      ? `  ${firstLine(task.error)}`
      : "";
  const text = `${name}  ${status} ${attempt} ${time.padStart(7)}${error}`.trimEnd();
  // Indented by depth under the header, so the tree's levels line up.
  return `  ${indent}${paint(icon || spinner, iconColor, color)} ${truncate(text, Math.max(1, columns - 5 - indent.length))}`;
}

function moreLine(hidden: readonly TaskView[], columns: number, color: boolean): string {
  const count = (status: TaskStatus) => hidden.filter((task) => task.status === status).length;
  const parts = [
    `${count("running")} running`,
    `${count("failed")} failed`,
    `${count("succeeded")} succeeded`,
  ];
  return `  ${paint(truncate(`… ${hidden.length} more tasks: ${parts.join(", ")}`, columns - 3), "gray", color)}`;
}
