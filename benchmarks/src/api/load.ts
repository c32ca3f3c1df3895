/** A fixed-rate load with autocannon, summarised as p50/p99/max and errors. */
import autocannon from "autocannon";

export interface LoadOptions {
  url: string;
  method: "GET" | "POST";
  body?: string;
  /** Requests per second, across all connections (autocannon's `overallRate`). */
  rate: number;
  seconds: number;
  connections: number;
}

export interface LoadResult {
  requests: number;
  /** Requests/s actually sent and answered. */
  achievedRate: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Socket errors + timeouts + non-2xx answers. */
  errors: number;
  non2xx: number;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: options.method,
    ...(options.body === undefined
      ? {}
      : { body: options.body, headers: { "content-type": "application/json" } }),
    overallRate: options.rate,
    // autocannon's coordinated-omission correction assumes one request per ceil(1 / rate) ms, with `rate`
    // the per-connection requests per SECOND (~31 here): every answer slower than 1 ms gets synthetic
    // samples (a 50 ms one adds ~49), which are pure artefact — even a no-op node:http server then shows a
    // p99 of ~26 ms on a loaded 2-core machine (6 ms uncorrected). Latencies are recorded as measured.
    ignoreCoordinatedOmission: true,
    duration: options.seconds,
    connections: options.connections,
    timeout: 10,
  });
  return {
    requests: result.requests.total,
    achievedRate: result.requests.total / options.seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors + result.timeouts + result.non2xx,
    non2xx: result.non2xx,
  };
}
