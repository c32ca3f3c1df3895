/**
 * Scraping and reading the exposition in tests: fetch `/metrics` over HTTP,
 * parse the samples, and look values up by name and labels.
 */
import { afterEach } from "vitest";
import { createFlowMesh, createLogger, type FlowMesh, type FlowMeshOptions } from "@flowmesh/core";

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  status: number;
  contentType: string;
  body: string;
  samples: ParsedSample[];
}

/** GETs `url` and parses the body as the Prometheus text format (or OpenMetrics). */
export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const response = await fetch(url, { headers });
  const body = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    body,
    samples: response.ok ? parseSamples(body) : [],
  };
}

/** Every sample line of an exposition. */
export function parseSamples(body: string): ParsedSample[] {
  const samples: ParsedSample[] = [];
  for (const line of body.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key!] = value!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    }
    const raw = match[3]!;
    const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw);
    samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/** The value of the one sample with this name and exactly these labels, or undefined. */
export function valueOf(
  samples: readonly ParsedSample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const wanted = Object.entries(labels);
  const found = samples.filter(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === wanted.length &&
      wanted.every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples match ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/** Label sets of every sample with this name. */
export function labelsOf(samples: readonly ParsedSample[], name: string): Record<string, string>[] {
  return samples.filter((s) => s.name === name).map((s) => s.labels);
}

/** Cumulative bucket counts of one histogram series, by `le`. */
export function bucketsOf(
  samples: readonly ParsedSample[],
  name: string,
  labels: Record<string, string>,
): Record<string, number> {
  const out: Record<string, number> = {};
  const wanted = Object.entries(labels);
  for (const s of samples) {
    if (s.name !== `${name}_bucket`) continue;
    if (Object.keys(s.labels).length !== wanted.length + 1) continue;
    if (!wanted.every(([k, v]) => s.labels[k] === v)) continue;
    out[s.labels.le!] = s.value;
  }
  return out;
}

/** Engines (silent logger, short drain) closed after each test. */
export function useEngines(): (options?: FlowMeshOptions) => FlowMesh {
  const engines: FlowMesh[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close()));
  });
  return (options = {}) => {
    const engine = createFlowMesh({
      logger: createLogger({ level: "silent" }),
      drainTimeout: "2s",
      ...options,
    });
    engines.push(engine);
    return engine;
  };
}

/** The standalone listener's URL of an engine's plugin. */
export function metricsUrl(address: { host: string; port: number } | undefined, path = "/metrics"): string {
  if (address === undefined) throw new Error("the plugin has no listener");
  return `http://${address.host}:${address.port}${path}`;
}
