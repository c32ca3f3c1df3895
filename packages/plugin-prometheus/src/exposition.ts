/**
 * What a scrape returns: the Prometheus text format, or OpenMetrics when the
 * scraper's `Accept` header prefers it (Prometheus asks for OpenMetrics
 * first). prom-client renders one format per registry, and switching a
 * registry to OpenMetrics renames its counters in place, so the format the
 * registry is not set to is rendered here from its JSON snapshot instead.
 */
import type { Registry, RegistryContentType } from "prom-client";

/** The Prometheus text format's content type. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
/** The OpenMetrics 1.0 content type. */
export const OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

export type ExpositionFormat = "prometheus" | "openmetrics";

/** A rendered scrape. */
export interface Exposition {
  readonly contentType: string;
  readonly body: string;
}

/**
 * The format an `Accept` header asks for: OpenMetrics when its media type has
 * a higher quality than the text format (and than a wildcard), else text.
 */
export function negotiateFormat(accept: string | null | undefined): ExpositionFormat {
  if (accept === null || accept === undefined || accept.trim() === "") return "prometheus";
  let openMetrics = -1;
  let text = -1;
  for (const range of accept.split(",")) {
    const [type = "", ...params] = range.split(";").map((part) => part.trim().toLowerCase());
    const q = quality(params);
    if (type === "application/openmetrics-text") openMetrics = Math.max(openMetrics, q);
    else if (type === "text/plain" || type === "*/*" || type === "text/*") text = Math.max(text, q);
  }
  return openMetrics > 0 && openMetrics >= text ? "openmetrics" : "prometheus";
}

/** Renders `registry` in `format`. */
export async function renderMetrics(
  registry: Registry<RegistryContentType>,
  format: ExpositionFormat,
): Promise<Exposition> {
  const native = format === "openmetrics" ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE;
  if (registry.contentType === native) return { contentType: native, body: await registry.metrics() };
  const families = (await registry.getMetricsAsJSON()) as unknown as Family[];
  return { contentType: native, body: format === "openmetrics" ? openMetrics(families) : text(families) };
}

interface Family {
  name: string;
  help: string;
  type: string;
  values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
}

function text(families: readonly Family[]): string {
  const out: string[] = [];
  for (const family of families) {
    // An OpenMetrics registry strips `_total` from counter names; the text format keeps it.
    const name = family.type === "counter" ? `${counterBase(family.name)}_total` : family.name;
    out.push(`# HELP ${name} ${escapeHelp(family.help)}`, `# TYPE ${name} ${family.type}`);
    for (const sample of family.values) out.push(sampleLine(sample.metricName ?? name, sample));
    out.push("");
  }
  return out.join("\n");
}

function openMetrics(families: readonly Family[]): string {
  const out: string[] = [];
  for (const family of families) {
    const counter = family.type === "counter";
    const name = counter ? counterBase(family.name) : family.name;
    const type = family.type === "untyped" ? "unknown" : family.type;
    out.push(`# TYPE ${name} ${type}`, `# HELP ${name} ${escapeHelp(family.help, true)}`);
    for (const sample of family.values) {
      out.push(sampleLine(sample.metricName ?? (counter ? `${name}_total` : name), sample));
    }
  }
  out.push("# EOF", "");
  return out.join("\n");
}

function sampleLine(name: string, sample: Family["values"][number]): string {
  const labels = Object.entries(sample.labels)
    .map(([key, value]) => `${key}="${escapeLabel(String(value))}"`)
    .join(",");
  return `${name}${labels === "" ? "" : `{${labels}}`} ${formatNumber(sample.value)}`;
}

function counterBase(name: string): string {
  return name.endsWith("_total") ? name.slice(0, -"_total".length) : name;
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(help: string, quotes = false): string {
  const escaped = help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
  return quotes ? escaped.replace(/"/g, '\\"') : escaped;
}

function quality(params: readonly string[]): number {
  for (const param of params) {
    if (!param.startsWith("q=")) continue;
    const q = Number(param.slice(2));
    return Number.isFinite(q) ? q : 0;
  }
  return 1;
}
