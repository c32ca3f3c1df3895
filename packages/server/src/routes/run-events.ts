/** `GET /runs/{id}/events`: the run's event log as Server-Sent Events, resumable with `Last-Event-ID`. */
import { createRoute, z } from "@hono/zod-openapi";
import { RunEventNotifier } from "../run-event-notifier.js";
import { COMMON_ERRORS, errors, guarded, type RouteKit } from "../route-kit.js";
import { RunIdParams } from "../schemas.js";
import { runEventStream } from "../sse-stream.js";
import { readRun } from "./runs.js";

const ResumeHeaders = z.object({
  "last-event-id": z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({ param: { name: "last-event-id", in: "header" }, description: "Resume after this event id." }),
});

const ResumeQuery = z.strictObject({
  after: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: "Resume after this event id (for clients that cannot set Last-Event-ID)." }),
});

export function runEventRoutes(kit: RouteKit): void {
  const { app, engine, options } = kit;
  const notifier = new RunEventNotifier(engine);

  app.openapi(
    guarded(
      kit,
      "runs:read",
      createRoute({
        method: "get",
        path: "/runs/{id}/events",
        tags: ["runs"],
        summary: "The run's events as Server-Sent Events",
        description:
          "Replays the run's event log, then streams new events live; ends after the run's terminal event. " +
          "Each `id:` is the backend's event id: reconnect with `Last-Event-ID` to resume. " +
          "`: heartbeat` comments keep idle connections open.",
        request: { params: RunIdParams, headers: ResumeHeaders, query: ResumeQuery },
        responses: {
          200: { description: "An event stream", content: { "text/event-stream": { schema: z.string() } } },
          ...errors(404, 422, ...COMMON_ERRORS),
        },
      }),
    ),
    async (c) => {
      const { id } = c.req.valid("param");
      const run = await readRun(kit, c, id, "runs:read");
      const after = c.req.valid("header")["last-event-id"] ?? c.req.valid("query").after;
      // Read before answering: an unknown resume id is a 422, not a broken stream.
      const first = await engine.readEvents(id, { after, limit: 500 });
      const body = runEventStream({
        engine,
        notifier,
        logger: engine.logger,
        runId: id,
        status: run.status,
        first,
        after,
        heartbeatMs: options.sseHeartbeatMs,
        pollMs: options.ssePollMs,
        exposeStacks: options.exposeErrorStacks,
      });
      return new Response(body, {
        status: 200,
        headers: {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache, no-transform",
          "x-accel-buffering": "no",
        },
      });
    },
  );
}
