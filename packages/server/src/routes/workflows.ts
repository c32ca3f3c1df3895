/** Registering and reading workflow definitions. */
import { parseWorkflow, type RegisteredWorkflow, type WorkflowFormat } from "@flowmesh/core";
import { createRoute } from "@hono/zod-openapi";
import { HttpStatusError, notFound } from "../http-errors.js";
import { allowedNamespaces } from "../pipeline.js";
import { listOf } from "../query.js";
import { COMMON_ERRORS, errors, guarded, type RouteKit } from "../route-kit.js";
import {
  ListWorkflowsQuery,
  WorkflowDetailSchema,
  WorkflowListSchema,
  WorkflowParams,
  WorkflowVersionParams,
} from "../schemas.js";
import { definitionView, groupWorkflows, workflowSummary } from "../views.js";

const definitionRef = { $ref: "#/components/schemas/WorkflowDefinition" };
const detailContent = { "application/json": { schema: WorkflowDetailSchema } };

export function workflowRoutes(kit: RouteKit): void {
  const { app, engine, pipeline } = kit;

  app.openapi(
    guarded(
      kit,
      "workflows:write",
      createRoute({
        method: "post",
        path: "/workflows",
        tags: ["workflows"],
        summary: "Register a workflow definition (JSON or YAML)",
        description:
          "The body is a workflow file: `application/json`, or `application/yaml` (also `text/yaml`). " +
          "Handler references are resolved by the engine's `resolveHandler` hook (the `handlers()` and " +
          "`moduleHandlers()` plugins). Errors name each problem with line and column.",
        request: {
          body: {
            required: true,
            content: {
              "application/json": { schema: definitionRef },
              "application/yaml": { schema: definitionRef },
            },
          },
        },
        responses: {
          201: { description: "Registered", content: detailContent },
          ...errors(400, 413, 415, 422, ...COMMON_ERRORS),
        },
      }),
    ),
    async (c) => {
      const format = formatOf(c.req.header("content-type"));
      const text = await c.req.text();
      const definition = parseWorkflow(text, { format, maxBytes: kit.options.bodyLimit });
      await pipeline.authorize(c, "workflows:write", {
        kind: "workflow",
        namespace: definition.namespace ?? "default",
        id: definition.name,
      });
      const registered = await engine.register(definition);
      const { mount } = c.get("fm");
      const location = `${mount}/workflows/${encodeURIComponent(registered.plan.name)}/versions/${encodeURIComponent(registered.plan.version)}`;
      return c.json(detail(registered, versionsOf(kit, registered.plan.name)) as never, 201, { location });
    },
  );

  app.openapi(
    guarded(
      kit,
      "workflows:read",
      createRoute({
        method: "get",
        path: "/workflows",
        tags: ["workflows"],
        summary: "List registered workflows (latest version of each, with every version)",
        request: { query: ListWorkflowsQuery },
        responses: {
          200: { description: "Workflows", content: { "application/json": { schema: WorkflowListSchema } } },
          ...errors(422, ...COMMON_ERRORS),
        },
      }),
    ),
    async (c) => {
      const decision = await pipeline.authorize(c, "workflows:read", { kind: "workflow" });
      const allowed = allowedNamespaces(decision);
      const wanted = listOf(c.req.valid("query").namespace);
      const workflows = [];
      for (const versions of groupWorkflows(engine).values()) {
        const latest = engine.workflow(versions[0]!.plan.name) ?? versions[versions.length - 1]!;
        const ns = latest.plan.namespace;
        if (allowed !== undefined && !allowed.includes(ns)) continue;
        if (wanted !== undefined && !wanted.includes(ns)) continue;
        workflows.push(workflowSummary(latest, versions));
      }
      return c.json({ workflows }, 200);
    },
  );

  app.openapi(
    guarded(
      kit,
      "workflows:read",
      createRoute({
        method: "get",
        path: "/workflows/{name}",
        tags: ["workflows"],
        summary: "A workflow's latest version",
        request: { params: WorkflowParams },
        responses: {
          200: { description: "The workflow", content: detailContent },
          ...errors(404, ...COMMON_ERRORS),
        },
      }),
    ),
    async (c) => {
      const { name } = c.req.valid("param");
      const registered = await readable(kit, c, name, undefined);
      return c.json(detail(registered, versionsOf(kit, name)) as never, 200);
    },
  );

  app.openapi(
    guarded(
      kit,
      "workflows:read",
      createRoute({
        method: "get",
        path: "/workflows/{name}/versions",
        tags: ["workflows"],
        summary: "Every registered version of a workflow",
        request: { params: WorkflowParams },
        responses: {
          200: {
            description: "The workflow's versions",
            content: { "application/json": { schema: WorkflowListSchema } },
          },
          ...errors(404, ...COMMON_ERRORS),
        },
      }),
    ),
    async (c) => {
      const { name } = c.req.valid("param");
      const latest = await readable(kit, c, name, undefined);
      const versions = groupWorkflows(engine).get(name) ?? [latest];
      return c.json(
        {
          versions: versions.map((v) =>
            detail(
              v,
              versions.map((x) => x.plan.version),
            ),
          ),
        } as never,
        200,
      );
    },
  );

  app.openapi(
    guarded(
      kit,
      "workflows:read",
      createRoute({
        method: "get",
        path: "/workflows/{name}/versions/{version}",
        tags: ["workflows"],
        summary: "One version of a workflow",
        request: { params: WorkflowVersionParams },
        responses: {
          200: { description: "The workflow version", content: detailContent },
          ...errors(404, ...COMMON_ERRORS),
        },
      }),
    ),
    async (c) => {
      const { name, version } = c.req.valid("param");
      const registered = await readable(kit, c, name, version);
      return c.json(detail(registered, versionsOf(kit, name)) as never, 200);
    },
  );
}

/** The workflow, once the caller may read it; a 404 alike for missing and hidden. */
async function readable(
  kit: RouteKit,
  c: Parameters<RouteKit["pipeline"]["authorize"]>[0],
  name: string,
  version: string | undefined,
): Promise<RegisteredWorkflow> {
  const registered = kit.engine.workflow(name, version);
  if (registered === undefined) throw notFound("workflow", name);
  await kit.pipeline.authorize(c, "workflows:read", {
    kind: "workflow",
    namespace: registered.plan.namespace,
    id: name,
  });
  return registered;
}

function versionsOf(kit: RouteKit, name: string): string[] {
  return kit.engine
    .workflows()
    .filter((w) => w.plan.name === name)
    .map((w) => w.plan.version);
}

function detail(registered: RegisteredWorkflow, versions: string[]) {
  const { plan } = registered;
  return {
    name: plan.name,
    version: plan.version,
    namespace: plan.namespace,
    versions,
    definition: definitionView(registered),
  };
}

/** The body's format from its content type; YAML also reads JSON, so a missing type is YAML. */
function formatOf(contentType: string | undefined): WorkflowFormat {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "" || type === "text/plain" || /^(application|text)\/(x-)?yaml$/.test(type)) return "yaml";
  if (type === "application/json" || /^application\/[\w.-]+\+json$/.test(type)) return "json";
  throw new HttpStatusError(
    415,
    "FM_ERR_INVALID_REQUEST",
    `unsupported content type "${type}": send application/json or application/yaml`,
    {
      contentType: type,
    },
  );
}
