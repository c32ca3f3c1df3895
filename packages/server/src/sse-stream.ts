/**
 * A run's events as Server-Sent Events: the backend's log replayed after
 * `Last-Event-ID`, then live until the run's terminal event. Each event's
 * `id:` is the backend's event id, so a reconnecting client resumes exactly
 * where it stopped. Heartbeat comments keep proxies from closing idle streams.
 */
import type { FlowMesh, Logger, RunEvent, RunStatus } from "@flowmesh/core";
import type { RunEventNotifier } from "./run-event-notifier.js";

const TERMINAL_EVENTS: ReadonlySet<string> = new Set([
  "run:succeeded",
  "run:failed",
  "run:cancelled",
  "run:timed_out",
]);
const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set(["succeeded", "failed", "cancelled", "timed_out"]);
const BATCH = 500;

export interface EventStreamOptions {
  readonly engine: FlowMesh;
  readonly notifier: RunEventNotifier;
  readonly logger: Logger;
  readonly runId: string;
  /** The run's status when the stream opened. */
  readonly status: RunStatus;
  /** Events already read after the resume point (read before answering, so a bad id is a 422). */
  readonly first: readonly RunEvent[];
  readonly after: string | undefined;
  readonly heartbeatMs: number;
  readonly pollMs: number;
  readonly exposeStacks: boolean;
}

/** The SSE body. Closing the connection stops reading and unsubscribes. */
export function runEventStream(options: EventStreamOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let closed = false;
  let dirty = false;
  let wake: (() => void) | undefined;
  let unsubscribe: (() => void) | undefined;
  let heartbeat: NodeJS.Timeout | undefined;

  const stop = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unsubscribe?.();
    wake?.();
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string): void => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      unsubscribe = options.notifier.subscribe(options.runId, () => {
        dirty = true;
        wake?.();
      });
      heartbeat = setInterval(() => send(": heartbeat\n\n"), options.heartbeatMs);
      heartbeat.unref();
      const waitForActivity = (): Promise<void> =>
        new Promise<void>((resolve) => {
          if (dirty || closed) return resolve();
          const timer = setTimeout(done, options.pollMs);
          function done(): void {
            clearTimeout(timer);
            wake = undefined;
            resolve();
          }
          wake = done;
        });

      const pump = async (): Promise<void> => {
        let cursor = options.after;
        let events: readonly RunEvent[] = options.first;
        let firstRead = true;
        while (!closed) {
          if (events.length > 0) {
            let chunk = "";
            for (const event of events) chunk += format(event, options.exposeStacks);
            send(chunk);
            const last = events[events.length - 1]!;
            cursor = last.id;
            // A retried run logs more after its terminal event: end only when the terminal event is the latest.
            if (TERMINAL_EVENTS.has(last.type) && events.length < BATCH) return;
          } else if (firstRead && TERMINAL_STATUSES.has(options.status)) {
            // Resumed after the terminal event: nothing more will come.
            return;
          }
          firstRead = false;
          if (events.length < BATCH) await waitForActivity();
          if (closed) return;
          dirty = false;
          events = await options.engine.readEvents(options.runId, { after: cursor, limit: BATCH });
        }
      };
      pump()
        .catch((error: unknown) => {
          options.logger.error({ err: error, workflow_id: options.runId }, "event stream failed");
          send(
            `event: error\ndata: ${JSON.stringify({ code: "FM_ERR_BACKEND", message: "reading the run's events failed" })}\n\n`,
          );
        })
        .finally(() => {
          const wasOpen = !closed;
          stop();
          if (wasOpen) controller.close();
        });
    },
    cancel() {
      stop();
    },
  });
}

function format(event: RunEvent, exposeStacks: boolean): string {
  let data: RunEvent = event;
  if (!exposeStacks && event.error?.stack !== undefined) {
    const { stack: _stack, ...error } = event.error;
    data = { ...event, error };
  }
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}
