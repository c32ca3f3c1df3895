/**
 * `fastifyFlowMesh(app)`: a Fastify 5 plugin serving the FlowMesh app below
 * the prefix it is registered with:
 * `fastify.register(fastifyFlowMesh(createFlowMeshApp(engine)), { prefix: "/flowmesh" })`.
 *
 * Inside the plugin's scope Fastify's body parsers are replaced by one that
 * leaves the stream unread, so FlowMesh reads (and limits) bodies itself.
 * Typed structurally: the server does not depend on Fastify.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { toNodeHandler, type FetchApp } from "./node.js";

/** The parts of a Fastify instance the plugin uses. */
export interface FastifyLike {
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    type: string,
    parser: (request: unknown, payload: unknown, done: (error: Error | null, body?: unknown) => void) => void,
  ): void;
  route(options: {
    method: string[];
    url: string;
    handler: (
      request: { raw: IncomingMessage; url: string },
      reply: { raw: ServerResponse; hijack(): void },
    ) => void;
  }): unknown;
}

/** Options Fastify hands a plugin; `prefix` is the path it is registered at. */
export interface FastifyPluginOptions {
  prefix?: string;
}

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** The Fastify plugin (register it with `{ prefix }`). */
export function fastifyFlowMesh(
  app: FetchApp,
): (instance: FastifyLike, options: FastifyPluginOptions, done: (error?: Error) => void) => void {
  const handle = toNodeHandler(app);
  return (instance, options, done) => {
    const prefix = (options.prefix ?? "").replace(/\/$/, "");
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser("*", (_request, _payload, finish) => finish(null, undefined));
    const handler = (
      request: { raw: IncomingMessage; url: string },
      reply: { raw: ServerResponse; hijack(): void },
    ) => {
      reply.hijack();
      // The app sees paths below the prefix, as Express's `app.use(path)` gives them.
      const url = request.raw.url ?? "/";
      (request.raw as IncomingMessage & { originalUrl?: string }).originalUrl ??= url;
      if (prefix !== "" && url.startsWith(prefix)) request.raw.url = url.slice(prefix.length) || "/";
      if (!request.raw.url!.startsWith("/")) request.raw.url = `/${request.raw.url}`;
      handle(request.raw, reply.raw);
    };
    instance.route({ method: METHODS, url: "/", handler });
    instance.route({ method: METHODS, url: "/*", handler });
    done();
  };
}
