/** Starting, reading, listing, cancelling and retrying runs. */
import { FlowMeshError, type RunFilter, type RunRecord, type RunStatus } from "@flowmesh/core";
import { isTapped } from "@flowmesh/core/plugin";
import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { notFound } from "../http-errors.js";
import { allowedNamespaces, type FlowMeshEnv } from "../pipeline.js";
import { listOf } from "../query.js";
import { COMMON_ERRORS, errors, guarded, type RouteKit } from "../route-kit.js";
import {
  CancelBody,
  IdempotencyHeaders,
  ListRunsQuery,
  parseTime,
  RetryBody,
  RunIdParams,
  RunPageSchema,
  RunSchema,
  StartRunBody,
  StartWorkflowRunBody,
  WorkflowParams,
} from "../schemas.js";
import { runView } from "../views.js";

const RUN_STATUSES: ReadonlySet<string> = new Set([
  "pending",
  "running",
  "succeeded",
  "failed",
  "cancelled",
  "timed_out",
]);
const runContent = { "application/json": { schema: RunSchema } };
const startResponses = {
  201: { description: "Run created", content: runContent },
  200: { description: "The run this Idempotency-Key already started", content: runContent },
  ...errors(400, 404, 409, 413, 415, 422, ...COMMON_ERRORS),
};

export function runRoutes(kit: RouteKit): void {
  const { app, engine, pipeline, options } = kit;
  const view = (run: RunRecord) => runView(run, options.exposeErrorStacks);

  app.openapi(
    guarded(
      kit,
      "runs:start",
      createRoute({
        method: "post",
        path: "/runs",
        tags: ["runs"],
        summary: "Start a run",
        request: {
          headers: IdempotencyHeaders,
          body: { required: true, content: { "application/json": { schema: StartRunBody } } },
        },
        responses: startResponses,
      }),
    ),
    async (c) => {
      const body = c.req.valid("json");
      const key = c.req.valid("header")["idempotency-key"];
      return (await startRun(kit, c, body.workflow, body.version, body.input, key)) as never;
    },
  );

  app.openapi(
    guarded(
      kit,
      "runs:start",
      createRoute({
        method: "post",
        path: "/workflows/{name}/runs",
        tags: ["runs"],
        summary: "Start a run of this workflow",
        request: {
          params: WorkflowParams,
          headers: IdempotencyHeaders,
          body: { required: true, content: { "application/json": { schema: StartWorkflowRunBody } } },
        },
        responses: startResponses,
      }),
    ),
    async (c) => {
      const body = c.req.valid("json");
      const { name } = c.req.valid("param");
      const key = c.req.valid("header")["idempotency-key"];
      return (await startRun(kit, c, name, body.version, body.input, key)) as never;
    },
  );

  app.openapi(
    guarded(
      kit,
      "runs:read",
      createRoute({
        method: "get",
        path: "/runs",
        tags: ["runs"],
        summary: "List runs, newest first",
        request: { query: ListRunsQuery },
        responses: {
          200: { description: "A page of runs", content: { "application/json": { schema: RunPageSchema } } },
          ...errors(422, ...COMMON_ERRORS),
        },
      }),
    ),
    async (c) => {
      const query = c.req.valid("query");
      const decision = await pipeline.authorize(c, "runs:read", { kind: "run" });
      const filter: RunFilter = {};
      if (query.workflow !== undefined) filter.workflow = query.workflow;
      const statuses = listOf(query.status);
      if (statuses !== undefined) {
        const bad = statuses.find((s) => !RUN_STATUSES.has(s));
        if (bad !== undefined)
          throw badQuery(
            "status",
            `unknown status "${bad}" (expected one of: ${[...RUN_STATUSES].join(", ")})`,
          );
        filter.status = statuses as RunStatus[];
      }
      if (query.createdAfter !== undefined) filter.createdAfter = parseTime(query.createdAfter)!;
      if (query.createdBefore !== undefined) filter.createdBefore = parseTime(query.createdBefore)!;
      const limit = query.limit === undefined ? 50 : Number(query.limit);
      if (limit > options.maxPageSize) throw badQuery("limit", `at most ${options.maxPageSize}`);
      filter.limit = limit;
      if (query.cursor !== undefined) filter.cursor = query.cursor;
      const allowed = allowedNamespaces(decision);
      const wanted = listOf(query.namespace);
      const namespaces =
        wanted === undefined
          ? allowed
          : allowed === undefined
            ? wanted
            : wanted.filter((ns) => allowed.includes(ns));
      if (namespaces !== undefined) {
        if (namespaces.length === 0) return c.json({ runs: [] }, 200);
        filter.namespace = namespaces;
      }
      const page = await engine.listRuns(filter);
      const body = {
        runs: page.runs.map(view),
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
      };
      return c.json(body as never, 200);
    },
  );

  app.openapi(
    guarded(
      kit,
      "runs:read",
      createRoute({
        method: "get",
        path: "/runs/{id}",
        tags: ["runs"],
        summary: "A run: status, per-task state, attempts, outputs, errors, timings",
        request: { params: RunIdParams },
        responses: { 200: { description: "The run", content: runContent }, ...errors(404, ...COMMON_ERRORS) },
      }),
    ),
    async (c) => {
      const run = await readRun(kit, c, c.req.valid("param").id, "runs:read");
      return c.json(view(run) as never, 200);
    },
  );

  app.openapi(
    guarded(
      kit,
      "runs:cancel",
      createRoute({
        method: "post",
        path: "/runs/{id}/cancel",
        tags: ["runs"],
        summary: "Cancel a run (a finished run is returned unchanged)",
        request: {
          params: RunIdParams,
          body: { required: false, content: { "application/json": { schema: CancelBody } } },
        },
        responses: {
          200: { description: "The run", content: runContent },
          ...errors(404, 422, ...COMMON_ERRORS),
        },
      }),
    ),
    async (c) => {
      const { id } = c.req.valid("param");
      await readRun(kit, c, id, "runs:cancel");
      const run = await engine.cancel(id, c.req.valid("json").reason);
      return c.json(view(run) as never, 200);
    },
  );

  app.openapi(
    guarded(
      kit,
      "runs:retry",
      createRoute({
        method: "post",
        path: "/runs/{id}/retry",
        tags: ["runs"],
        summary: "Retry a finished run: its failed tasks, or from one task on",
        request: {
          params: RunIdParams,
          body: { required: false, content: { "application/json": { schema: RetryBody } } },
        },
        responses: {
          200: { description: "The reopened run", content: runContent },
          ...errors(404, 409, 422, ...COMMON_ERRORS),
        },
      }),
    ),
    async (c) => {
      const { id } = c.req.valid("param");
      await readRun(kit, c, id, "runs:retry");
      const { fromTask } = c.req.valid("json");
      await engine.retry(id, fromTask === undefined ? {} : { fromTask });
      const run = await engine.getRun(id);
      if (run === undefined) throw notFound("run", id);
      return c.json(view(run) as never, 200);
    },
  );
}

/** Loads a run and authorizes `action` on it: missing and hidden runs are the same 404. */
export async function readRun(
  kit: RouteKit,
  c: Context<FlowMeshEnv>,
  id: string,
  action: "runs:read" | "runs:cancel" | "runs:retry",
): Promise<RunRecord> {
  const run = await kit.engine.getRun(id);
  if (run === undefined) throw notFound("run", id);
  await kit.pipeline.authorize(c, action, { kind: "run", namespace: run.namespace, id });
  return run;
}

async function startRun(
  kit: RouteKit,
  c: Context<FlowMeshEnv>,
  workflow: string,
  version: string | number | undefined,
  input: unknown,
  idempotencyKey: string | undefined,
): Promise<Response> {
  const { engine, pipeline } = kit;
  const { info, mount } = c.get("fm");
  const wantedVersion = version === undefined ? undefined : String(version);
  const registered = engine.workflow(workflow, wantedVersion);
  if (registered === undefined) {
    throw notFound(
      wantedVersion === undefined ? "workflow" : "workflow version",
      wantedVersion === undefined ? workflow : `${workflow}@${wantedVersion}`,
    );
  }
  await pipeline.authorize(c, "runs:start", {
    kind: "workflow",
    namespace: registered.plan.namespace,
    id: workflow,
  });
  const handle = await engine.start(workflow, input, {
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    ...(wantedVersion === undefined ? {} : { version: wantedVersion }),
    ...(info.principal === undefined ? {} : { startedBy: info.principal.id }),
  });
  const run = await engine.getRun(handle.id);
  if (run === undefined)
    throw new FlowMeshError("FM_ERR_BACKEND", `run ${handle.id} was created but cannot be read back`);
  if (!handle.created) {
    // The key names an existing run: it must be this request's, and the caller must be allowed to see it.
    const conflict = (why: string) =>
      new FlowMeshError(
        "FM_ERR_IDEMPOTENCY_CONFLICT",
        `idempotency key "${idempotencyKey}" was used ${why}`,
        {
          details: { idempotencyKey },
        },
      );
    if (wantedVersion !== undefined && run.version !== wantedVersion)
      throw conflict(`for version ${run.version}`);
    if (isTapped(pipeline.hooks.authorize)) {
      const decision = await pipeline.hooks.authorize.promise({
        principal: info.principal,
        action: "runs:read",
        resource: { kind: "run", namespace: run.namespace, id: run.id },
        request: info,
      });
      if (decision !== undefined && !decision.allow) throw conflict("by another caller");
    }
  }
  const body = JSON.stringify(runView(run, kit.options.exposeErrorStacks));
  return new Response(body, {
    status: handle.created ? 201 : 200,
    headers: { "content-type": "application/json; charset=utf-8", location: `${mount}/runs/${run.id}` },
  });
}

function badQuery(path: string, message: string): FlowMeshError {
  return new FlowMeshError("FM_ERR_INVALID_REQUEST", `invalid request: query ${path}: ${message}`, {
    details: { issues: [{ path, in: "query", message }] },
  });
}
