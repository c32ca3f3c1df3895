/** The readable result the example prints. */
import { basename } from "node:path";
import type { Extracted, Loaded, Transformed } from "./handlers.js";
import { PIPELINE_FILE, type PipelineRun } from "./pipeline.js";

/** Formats a run of the pipeline: what the YAML says per task, how each ran, and what it produced. */
export function formatSummary({ plan, run, events }: PipelineRun): string {
  const lines: string[] = [];
  const elapsed = run.endedAt !== undefined ? `${run.endedAt - run.createdAt} ms` : "(unfinished)";
  lines.push(`FlowMesh data pipeline: "${plan.name}", read from ${basename(PIPELINE_FILE)}`);
  lines.push(`Run ${run.id} ${run.status.toUpperCase()} in ${elapsed}`, "");

  const rows = plan.tasks.map((task) => {
    const record = run.tasks[task.name];
    return [
      task.name,
      task.dependsOn.join(", ") || "-",
      task.timeoutMs === undefined ? "-" : formatDuration(task.timeoutMs),
      String(task.retry.maxRetries),
      record?.status ?? "-",
      String(record?.attempts ?? 0),
      record?.durationMs === undefined ? "-" : `${record.durationMs.toFixed(1)} ms`,
    ];
  });
  lines.push(...table(["Tasks", "depends on", "timeout", "retries", "status", "attempts", "duration"], rows));

  const retries = events.filter((event) => event.type === "task:retrying");
  if (retries.length > 0) {
    lines.push("", "Retried attempts");
    for (const event of retries)
      lines.push(`  ${event.task} attempt ${event.attempt}: ${event.error?.message}`);
  }
  if (run.error !== undefined) lines.push("", `Failed: ${run.error.task ?? "run"}: ${run.error.message}`);

  const extracted = run.tasks.extract_s3?.output as Extracted | undefined;
  const transformed = run.tasks.transform_spark?.output as Transformed | undefined;
  const loaded = run.tasks.load_warehouse?.output as Loaded | undefined;
  const results: string[][] = [];
  if (extracted !== undefined) {
    const prefix = extracted.objects[0]?.replace(/[^/]*$/, "") ?? "";
    results.push([
      "extract_s3",
      `${extracted.objects.length} files, ${extracted.rows.length} rows from ${extracted.bucket}/${prefix}`,
    ]);
  }
  if (transformed !== undefined) {
    const rejected = transformed.rejected.map((r) => `${r.id} ${r.reason}`).join("; ");
    results.push([
      "transform_spark",
      `${transformed.customers.length} customers (${plural(transformed.merged, "duplicate")} merged), ${transformed.rejected.length} rejected${rejected === "" ? "" : `: ${rejected}`}`,
    ]);
  }
  if (loaded !== undefined) {
    const { gold, silver, bronze } = loaded.segments;
    results.push([
      "load_warehouse",
      `${loaded.table}: ${loaded.inserted} inserted, ${loaded.updated} updated (gold ${gold}, silver ${silver}, bronze ${bronze}); ${loaded.tableSize} rows in the table`,
    ]);
  }
  if (results.length > 0) lines.push("", ...table(["Results", ""], results));
  return lines.join("\n");
}

/** `3600000` → `1h`, `1800000` → `30m`: the YAML's seconds, as people say them. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms} ms`;
}

/** Columns padded to their widest cell; rows indented two spaces under the header. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, i) =>
    Math.max(i === 0 ? title.length - 2 : title.length, ...rows.map((row) => row[i]!.length)),
  );
  const join = (cells: string[], first: number) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[first + i]! + 2))).join("");
  return [
    `${header[0]!.padEnd(widths[0]! + 4)}${join(header.slice(1), 1)}`.trimEnd(),
    ...rows.map((row) => `  ${join(row, 0)}`.trimEnd()),
  ];
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
