/**
 * The Grafana dashboard and the alert rules in deploy/ query only metrics
 * (and labels) the plugin really exports: each name they use is looked up in
 * a real scrape of /metrics after workflows ran through the engine and the API.
 * With promtool on the PATH, the rules also pass `promtool check rules` and
 * their unit tests, and the scrape passes `promtool check metrics`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlowMesh, createLogger, type FlowMesh } from "@flowmesh/core";
import { startServer, type RunningServer } from "@flowmesh/server";
import { parse } from "yaml";
import { METRICS, prometheus } from "../src/index.js";
import { scrape, type ParsedSample } from "./support/scrape.js";

const deploy = (path: string): string => fileURLToPath(new URL(`../../../deploy/${path}`, import.meta.url));
const DASHBOARD = deploy("grafana/flowmesh.json");
const ALERTS = deploy("prometheus/alerts.yml");
const ALERT_TESTS = deploy("prometheus/alerts.test.yml");

// Outside CI the promtool checks run when promtool is installed; CI installs it (.ci/run), so there they always run.
const hasPromtool = spawnSync("promtool", ["--version"]).status === 0 || Boolean(process.env.CI);

interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

let fm: FlowMesh;
let server: RunningServer;
let text: string;
let samples: ParsedSample[];

beforeAll(async () => {
  fm = createFlowMesh({ logger: createLogger({ level: "silent" }), plugins: [prometheus()] });
  await fm.register({
    name: "mixed",
    tasks: [
      { name: "ok", handler: () => 1 },
      {
        name: "flaky",
        timeout: "50ms",
        retry: { maxRetries: 1, baseDelay: "5ms", jitter: false },
        handler: (ctx) =>
          ctx.attempt === 1 ? new Promise((resolve) => setTimeout(resolve, 2000)) : Promise.resolve(2),
      },
      { name: "bad", handler: () => Promise.reject(new Error("no")) },
    ],
  });
  await fm.ready();
  server = await startServer(fm, { port: 0 });
  await (await fm.start("mixed")).wait();
  fm.events.emit("circuit:state", { name: "api", state: "open", previous: "closed" });
  await fetch(`${server.url}/workflows`);
  await scrape(`${server.url}/metrics`);
  const scraped = await scrape(`${server.url}/metrics`);
  text = scraped.body;
  samples = scraped.samples;
}, 30_000);

afterAll(async () => {
  await server?.close();
  await fm?.close();
});

/** Every PromQL expression of the dashboard (panels, rows, variables). */
function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as {
    panels: Panel[];
    templating: { list: { query?: unknown; definition?: string }[] };
  };
  const exprs: string[] = [];
  const walk = (panels: Panel[]): void => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) exprs.push(target.expr);
      walk(panel.panels ?? []);
    }
  };
  walk(dashboard.panels);
  for (const variable of dashboard.templating.list) if (variable.definition) exprs.push(variable.definition);
  return exprs;
}

function alertExpressions(): { alert: string; expr: string }[] {
  const rules = parse(readFileSync(ALERTS, "utf8")) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  return rules.groups.flatMap((group) => group.rules);
}

/** `metric{label="x", ...}` selectors of an expression, with the label names they match on. */
function selectors(expr: string): { metric: string; labels: string[] }[] {
  const found: { metric: string; labels: string[] }[] = [];
  for (const match of expr.matchAll(/\b(flowmesh_[a-z0-9_]+)(?:\{([^}]*)\})?/g)) {
    const labels = [...(match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map(
      (m) => m[1]!,
    );
    found.push({ metric: match[1]!, labels });
  }
  return found;
}

function expectExported(exprs: readonly string[]): void {
  const names = new Set(samples.map((s) => s.name));
  const labelsByName = new Map<string, Set<string>>();
  for (const s of samples) {
    const set = labelsByName.get(s.name) ?? new Set<string>();
    for (const key of Object.keys(s.labels)) set.add(key);
    labelsByName.set(s.name, set);
  }
  let checked = 0;
  for (const expr of exprs) {
    for (const { metric, labels } of selectors(expr)) {
      expect(names, `"${metric}" in ${expr}`).toContain(metric);
      // `instance` and `job` are added by Prometheus when it scrapes.
      for (const label of labels.filter((l) => l !== "instance" && l !== "job")) {
        expect([...labelsByName.get(metric)!], `label "${label}" of ${metric} in ${expr}`).toContain(label);
      }
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(10);
}

describe("deploy/grafana/flowmesh.json", () => {
  it("queries only metrics and labels the plugin exports", () => {
    expectExported(dashboardExpressions());
  });

  it("covers throughput, failure rate, latency quantiles, queue, active runs, retries and circuit breakers", () => {
    const all = dashboardExpressions().join("\n");
    for (const needed of [
      "flowmesh_workflows_total",
      "flowmesh_tasks_total",
      'status="failed"',
      "histogram_quantile(0.5",
      "histogram_quantile(0.95",
      "histogram_quantile(0.99",
      "flowmesh_queue_depth",
      "flowmesh_queue_wait_seconds_bucket",
      "flowmesh_active_workflows",
      "flowmesh_task_retries_total",
      "flowmesh_circuit_breaker_state",
    ]) {
      expect(all).toContain(needed);
    }
  });

  it("is an importable dashboard: a datasource variable, unique panel ids, every query panel with a target", () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as {
      uid: string;
      panels: Panel[];
      templating: { list: { name: string; type: string }[] };
    };
    expect(dashboard.uid).toBe("flowmesh-overview");
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: "datasource", type: "datasource" }),
    );
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels.filter((p) => p.type !== "row")) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
  });
});

describe("deploy/prometheus/alerts.yml", () => {
  it("has the failure-rate, stuck-queue, no-worker-claiming and SLA latency alerts", () => {
    const names = alertExpressions().map((rule) => rule.alert);
    expect(names).toEqual(
      expect.arrayContaining([
        "FlowMeshTaskFailureRateHigh",
        "FlowMeshWorkflowFailureRateHigh",
        "FlowMeshQueueStuck",
        "FlowMeshNoWorkerClaiming",
        "FlowMeshWorkflowLatencySLA",
      ]),
    );
  });

  it("queries only metrics and labels the plugin exports", () => {
    expectExported(alertExpressions().map((rule) => rule.expr));
  });

  it.runIf(hasPromtool)("passes promtool check rules and the rules' unit tests", () => {
    const check = spawnSync("promtool", ["check", "rules", ALERTS], { encoding: "utf8" });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
    const tests = spawnSync("promtool", ["test", "rules", ALERT_TESTS], { encoding: "utf8" });
    expect(tests.status, tests.stdout + tests.stderr).toBe(0);
  });
});

describe("the scrape", () => {
  it("exports every metric of the catalogue", () => {
    const names = new Set(samples.map((s) => s.name));
    for (const spec of Object.values(METRICS)) {
      const sample = spec.type === "histogram" ? `${spec.name}_count` : spec.name;
      expect(names, spec.name).toContain(sample);
    }
  });

  it.runIf(hasPromtool)("passes promtool check metrics", () => {
    const output = execFileSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    expect(output).toBe("");
  });
});
