/**
 * Content negotiation and rendering: the text format by default, OpenMetrics
 * when the Accept header prefers it, whichever format the registry itself is
 * set to, without prom-client's in-place counter renaming leaking between them.
 */
import { describe, expect, it } from "vitest";
import client, { type OpenMetricsContentType } from "prom-client";
import {
  negotiateFormat,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  prometheus,
  renderMetrics,
} from "../src/index.js";
import { metricsUrl, parseSamples, scrape, useEngines, valueOf } from "./support/scrape.js";

const engine = useEngines();

describe("negotiateFormat", () => {
  it.each([
    [undefined, "prometheus"],
    ["", "prometheus"],
    ["text/plain", "prometheus"],
    ["*/*", "prometheus"],
    ["application/openmetrics-text", "openmetrics"],
    // What Prometheus 2.x sends: OpenMetrics first.
    [
      "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
      "openmetrics",
    ],
    ["text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5", "prometheus"],
    ["application/openmetrics-text;q=0", "prometheus"],
    ["APPLICATION/OpenMetrics-Text; Version=1.0.0", "openmetrics"],
  ])("Accept %j → %s", (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });
});

describe("rendering", () => {
  it("serves OpenMetrics over HTTP when asked: counter families without _total, samples with it, # EOF last", async () => {
    const plugin = prometheus({ listen: { port: 0 } });
    const fm = engine({ plugins: [plugin] });
    await fm.register({ name: "om", tasks: [{ name: "t", handler: () => 1 }] });
    await (await fm.start("om")).wait();
    const url = metricsUrl(plugin.metrics?.address);
    const om = await scrape(url, { accept: "application/openmetrics-text; version=1.0.0" });
    expect(om.contentType).toBe(OPENMETRICS_CONTENT_TYPE);
    expect(om.body).toContain("# TYPE flowmesh_workflows counter\n");
    expect(om.body).not.toContain("# TYPE flowmesh_workflows_total");
    expect(om.body).toContain("# TYPE flowmesh_task_duration_seconds histogram\n");
    expect(om.body.endsWith("\n# EOF\n")).toBe(true);
    expect(valueOf(om.samples, "flowmesh_workflows_total", { workflow: "om", status: "succeeded" })).toBe(1);
    expect(valueOf(om.samples, "flowmesh_task_duration_seconds_count", { workflow: "om", task: "t" })).toBe(
      1,
    );
    // Every sample belongs to the family declared just before it.
    let family = "";
    for (const line of om.body.split("\n")) {
      if (line.startsWith("# TYPE ")) family = line.split(" ")[2]!;
      else if (line !== "" && !line.startsWith("#")) expect(line.startsWith(family)).toBe(true);
    }

    // The text format afterwards is unchanged: counters keep `_total` in their TYPE line.
    const text = await scrape(url);
    expect(text.contentType).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(text.body).toContain("# TYPE flowmesh_workflows_total counter\n");
    expect(text.body).not.toContain("# EOF");
    expect(valueOf(text.samples, "flowmesh_workflows_total", { workflow: "om", status: "succeeded" })).toBe(
      1,
    );
  });

  it("renders both formats from a registry set to OpenMetrics, too", async () => {
    const registry = new client.Registry<OpenMetricsContentType>();
    registry.setContentType(client.openMetricsContentType);
    const counter = new client.Counter({
      name: "jobs_total",
      help: 'say "hi"\nback\\slash',
      registers: [registry],
    });
    counter.inc(2);
    const om = await renderMetrics(registry, "openmetrics");
    expect(om.contentType).toBe(OPENMETRICS_CONTENT_TYPE);
    expect(om.body).toContain("jobs_total 2");
    const text = await renderMetrics(registry, "prometheus");
    expect(text.contentType).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(text.body).toContain("# TYPE jobs_total counter\n");
    expect(text.body).toContain('# HELP jobs_total say "hi"\\nback\\\\slash\n');
    expect(valueOf(parseSamples(text.body), "jobs_total")).toBe(2);
  });

  it("escapes label values", async () => {
    const registry = new client.Registry();
    const gauge = new client.Gauge({ name: "g", help: "g", labelNames: ["v"], registers: [registry] });
    gauge.set({ v: 'a"b\\c\nd' }, 1);
    const om = await renderMetrics(registry, "openmetrics");
    expect(om.body).toContain('g{v="a\\"b\\\\c\\nd"} 1');
    expect(parseSamples(om.body)[0]?.labels.v).toBe('a"b\\c\nd');
  });
});
