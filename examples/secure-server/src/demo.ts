/**
 * What each caller gets, asked over HTTP: the tenant boundaries, the roles,
 * JWTs and the uniform 401. Returns one line per request.
 */
import type { SecureServer } from "./secure-server.js";

export interface DemoLine {
  readonly who: string;
  readonly request: string;
  readonly status: number;
  readonly note: string;
}

/** Runs the scenario against a started server. */
export async function runDemo(secure: SecureServer): Promise<DemoLine[]> {
  const { server, keys, security } = secure;
  const lines: DemoLine[] = [];
  const call = async (
    who: string,
    method: string,
    path: string,
    auth: string | undefined,
    body?: unknown,
  ) => {
    const headers: Record<string, string> = {};
    if (auth !== undefined) headers.authorization = `Bearer ${auth}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as Record<string, unknown>;
    return { who, request: `${method} ${path}`, status: response.status, json, headers: response.headers };
  };
  const note = (line: Awaited<ReturnType<typeof call>>, text: string) =>
    lines.push({ who: line.who, request: line.request, status: line.status, note: text });

  const started = await call("acme-ci", "POST", "/workflows/acme-invoices/runs", keys.acmeRunner, {
    input: { day: 1 },
  });
  const acmeRun = started.json as { id: string; startedBy: string };
  note(started, `run started, startedBy=${acmeRun.startedBy}`);
  await secure.engine.waitForRun(acmeRun.id);

  const globex = await call("admin", "POST", "/runs", keys.admin, { workflow: "globex-reports" });
  const globexRun = globex.json as { id: string };
  note(globex, "the platform admin starts a Globex run");

  const hidden = await call("acme-ci", "GET", `/runs/${globexRun.id}`, keys.acmeRunner);
  note(hidden, "another tenant's run does not exist for Acme");
  const list = await call("globex-dashboard", "GET", "/runs", keys.globexViewer);
  const runs = (list.json as { runs: { namespace: string }[] }).runs;
  note(
    list,
    `sees ${runs.length} run(s), namespaces: ${[...new Set(runs.map((r) => r.namespace))].join(", ")}`,
  );
  const forbidden = await call("globex-dashboard", "POST", "/runs", keys.globexViewer, {
    workflow: "globex-reports",
  });
  note(forbidden, "a viewer may not start runs");

  const token = await security.generateToken("auditor-1", ["auditor"], {
    expiresIn: "5m",
    namespaces: ["acme"],
  });
  const audit = await call("auditor-1 (JWT)", "GET", `/runs/${acmeRun.id}`, token);
  note(audit, "a JWT with a custom role reads Acme's run");
  const bad = await call("anonymous", "GET", "/runs", "not-a-valid-key");
  note(bad, `uniform body: ${JSON.stringify(bad.json)}`);
  const health = await call("anonymous", "GET", "/healthz", undefined);
  note(health, `public; RateLimit: ${health.headers.get("ratelimit") ?? "-"}`);
  return lines;
}

/** The lines as a table. */
export function formatDemo(lines: readonly DemoLine[]): string {
  const width = (pick: (line: DemoLine) => string) => Math.max(...lines.map((line) => pick(line).length));
  const who = width((l) => l.who);
  const request = width((l) => l.request);
  return lines
    .map((l) => `${l.who.padEnd(who)}  ${l.request.padEnd(request)}  ${l.status}  ${l.note}`)
    .join("\n");
}
