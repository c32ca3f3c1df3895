/**
 * The body size limit (413) without touching the request stream when it need
 * not: Hono's `bodyLimit` reads `c.req.raw.body` first, which makes
 * @hono/node-server build a full undici `Request` with web streams and an
 * `AbortSignal` for every request, even a GET. Here GET and HEAD (which have
 * no body) and requests with a `Content-Length` are checked from the headers
 * alone, so the adapter's lightweight request reads the body straight from
 * Node (`text()`/`json()`); only a chunked body is counted as it streams, as
 * Hono's middleware does.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";

/** Options of {@link bodyLimit}. */
export interface BodyLimitOptions {
  readonly maxSize: number;
  /** Answers (or throws) for a body over `maxSize`. */
  readonly onError: (c: Context) => Response | Promise<Response>;
}

/** Same behaviour as `hono/body-limit`, cheaper on the common paths. */
export function bodyLimit<E extends object>(options: BodyLimitOptions): MiddlewareHandler<E> {
  const streaming = honoBodyLimit(options);
  const { maxSize, onError } = options;
  return async function flowMeshBodyLimit(c, next) {
    const method = c.req.method;
    // A GET or HEAD request never carries a body (the adapters drop it; `new Request` refuses one).
    if (method === "GET" || method === "HEAD") return next();
    const headers = c.req.raw.headers;
    const length = headers.get("content-length");
    if (length !== null && !headers.has("transfer-encoding")) {
      if (parseInt(length, 10) > maxSize && c.req.raw.body !== null) return onError(c);
      return next();
    }
    return streaming(c, next);
  };
}
