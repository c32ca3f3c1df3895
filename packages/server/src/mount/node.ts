/**
 * `toNodeHandler(app)`: the FlowMesh app as a Node `(req, res, next?)`
 * handler, for Express 5 (`app.use("/flowmesh", toNodeHandler(fm))`), NestJS
 * on its Express adapter, Connect or plain `http.createServer`.
 *
 * Body parsers that ran first (`express.json()`, `express.text()`,
 * `express.raw()`, `express.urlencoded()`) have consumed the request stream:
 * the parsed `req.body` is serialised back into the body FlowMesh reads.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";

/** Anything with a fetch handler (a Hono app). */
export interface FetchApp {
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
}

/** A request a body parser may have read: Express puts the parsed value on `body`. */
type ParsedRequest = IncomingMessage & { body?: unknown; rawBody?: unknown };

/** A Node handler; `next` (Express, Connect) receives unexpected adapter errors. */
export type NodeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

/** Wraps a fetch app for Node's HTTP server and Express-style frameworks. */
export function toNodeHandler(app: FetchApp): NodeHandler {
  const listener = getRequestListener((request, env) => app.fetch(request, env));
  return (req, res, next) => {
    restoreConsumedBody(req);
    listener(req, res).catch((error: unknown) => {
      if (next !== undefined) next(error);
      else if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      }
    });
  };
}

/**
 * When a parser already read the stream, hands the adapter the body again
 * (`rawBody` is what @hono/node-server reads instead of the stream) and fixes
 * `content-length` to match.
 */
export function restoreConsumedBody(req: ParsedRequest): void {
  if (req.rawBody instanceof Buffer) return;
  // Unread streams are left alone; `readableEnded` alone is not enough for bodyless requests.
  if (!req.readableEnded && !req.complete) return;
  if (!req.readableDidRead && req.body === undefined) return;
  const body = serialise(req.body, req.headers["content-type"]);
  if (body === undefined) return;
  req.rawBody = body;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === "content-length") raw[i + 1] = String(body.length);
    if (raw[i]!.toLowerCase() === "transfer-encoding") raw[i + 1] = "identity";
  }
  if (!raw.some((name, i) => i % 2 === 0 && name.toLowerCase() === "content-length")) {
    raw.push("Content-Length", String(body.length));
  }
  req.headers["content-length"] = String(body.length);
}

function serialise(body: unknown, contentType: string | undefined): Buffer | undefined {
  if (body === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === "string") return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (typeof body === "object" && body !== null) {
    if ((contentType ?? "").toLowerCase().includes("application/x-www-form-urlencoded")) {
      return Buffer.from(new URLSearchParams(body as Record<string, string>).toString());
    }
    return Buffer.from(JSON.stringify(body));
  }
  return Buffer.from(JSON.stringify(body));
}
