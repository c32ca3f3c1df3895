import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createLogger, parseWorkflow } from "@flowmesh/core";
import { describe, expect, it } from "vitest";
import { runEntryPoint } from "../../test-kit/run-entry-point.js";
import type { Extracted, Loaded, Transformed } from "../src/handlers.js";
import { PIPELINE_FILE, runPipeline } from "../src/pipeline.js";
import { formatDuration, formatSummary } from "../src/summary.js";

const entryPoint = fileURLToPath(new URL("../dist/main.js", import.meta.url));

/** The YAML printed in the product brief, character for character. */
const BRIEF_YAML = `name: Customer Data Pipeline
tasks:
  - name: extract_s3
    timeout: 3600
    retry_count: 3
  - name: transform_spark
    depends_on: [extract_s3]
    timeout: 7200
  - name: load_warehouse
    depends_on: [transform_spark]
    timeout: 1800
`;

const quiet = () => createLogger({ level: "silent" });

describe("the data pipeline example", () => {
  it("loads the brief's YAML unchanged: only an editor schema line is added", () => {
    const text = readFileSync(PIPELINE_FILE, "utf8");
    const [modeline, ...rest] = text.split("\n");
    expect(modeline).toBe(
      "# yaml-language-server: $schema=./node_modules/@flowmesh/core/schema/workflow.schema.json",
    );
    expect(rest.join("\n")).toBe(BRIEF_YAML);
    expect(parseWorkflow(text)).toEqual(parseWorkflow(BRIEF_YAML));
  });

  it("means what the YAML says: timeouts in seconds, three retries for extract_s3", async () => {
    const { plan } = await runPipeline({ logger: quiet() });
    expect(
      plan.tasks.map((task) => [task.name, task.timeoutMs, task.retry.maxRetries, task.dependsOn]),
    ).toEqual([
      ["extract_s3", 3_600_000, 3, []],
      ["transform_spark", 7_200_000, 0, ["extract_s3"]],
      ["load_warehouse", 1_800_000, 0, ["transform_spark"]],
    ]);
    expect(plan.tasks.map((task) => formatDuration(task.timeoutMs!))).toEqual(["1h", "2h", "30m"]);
  });

  it(
    "retries the throttled S3 listing, then passes each output downstream",
    { timeout: 10_000 },
    async () => {
      const { run, events } = await runPipeline({ logger: quiet() });
      expect(run.status).toBe("succeeded");
      expect(run.tasks.extract_s3!.attempts).toBe(2);
      expect(events.filter((event) => event.type === "task:retrying")).toMatchObject([
        {
          task: "extract_s3",
          attempt: 1,
          error: { name: "SlowDownError", message: "S3 SlowDown: please reduce your request rate" },
        },
      ]);
      const extracted = run.tasks.extract_s3!.output as Extracted;
      expect(extracted.objects).toEqual([
        "customers/2025-01-31/part-0001.csv",
        "customers/2025-01-31/part-0002.csv",
        "customers/2025-01-31/part-0003.csv",
      ]);
      expect(extracted.rows).toHaveLength(8);
      const transformed = run.tasks.transform_spark!.output as Transformed;
      expect(transformed.customers.map((c) => [c.id, c.email, c.segment])).toEqual([
        ["C-101", "ada@example.com", "gold"],
        ["C-102", "grace@example.com", "gold"],
        ["C-103", "linus@example.org", "bronze"],
        ["C-104", "margaret@example.com", "gold"],
        ["C-106", "barbara@example.net", "silver"],
        ["C-107", "tim@example.org", "bronze"],
      ]);
      // The newer of Grace's two rows wins.
      expect(transformed.customers[1]).toMatchObject({ name: "Grace B. Hopper", lifetimeValue: 1010 });
      expect(transformed.merged).toBe(1);
      expect(transformed.rejected).toEqual([{ id: "C-105", reason: 'invalid email "not-an-email"' }]);
      expect(run.tasks.load_warehouse!.output as Loaded).toEqual({
        table: "analytics.customers",
        inserted: 4,
        updated: 2,
        segments: { gold: 3, silver: 1, bronze: 2 },
        tableSize: 6,
      });
    },
  );

  it("prints a readable summary", { timeout: 10_000 }, async () => {
    const result = await runPipeline({ logger: quiet() });
    const text = formatSummary(result);
    expect(text).toContain('FlowMesh data pipeline: "Customer Data Pipeline", read from pipeline.yaml');
    expect(text).toMatch(/^Run \S+ SUCCEEDED in \d+ ms$/m);
    expect(text).toMatch(/^ {2}extract_s3 +- +1h +3 +succeeded +2 +\d+\.\d ms$/m);
    expect(text).toMatch(/^ {2}load_warehouse +transform_spark +30m +0 +succeeded +1 +\d+\.\d ms$/m);
    expect(text).toContain("  extract_s3 attempt 1: S3 SlowDown: please reduce your request rate");
    expect(text).toContain(
      "  load_warehouse   analytics.customers: 4 inserted, 2 updated (gold 3, silver 1, bronze 2); 6 rows in the table",
    );
  });

  it("runs from its entry point: prints the summary and exits 0", { timeout: 20_000 }, async () => {
    const { code, stdout, stderr } = await runEntryPoint(entryPoint);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toMatch(/^Run \S+ SUCCEEDED in \d+ ms$/m);
    expect(stdout).toContain(
      "transform_spark  6 customers (1 duplicate merged), 1 rejected: C-105 invalid email",
    );
  });
});
