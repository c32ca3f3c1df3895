/**
 * Follows a run's event log until the run ends. The log is the backend's
 * (the one the server streams over SSE), so tasks run by other workers show
 * too. Reads are triggered by this engine's own task events (no delay for
 * work done here) and by a timer (work done elsewhere); one read at a time.
 */
import type { FlowMesh, RunEvent, RunRecord } from "@flowmesh/core";

/** Options of {@link followRun}. */
export interface FollowRunOptions {
  /** How often the log is read when nothing happened in this process. @default 250 */
  pollMs?: number;
  /** Events per read. @default 500 */
  pageSize?: number;
}

/** Engine events that mean the run's log grew. */
const WAKE_EVENTS = [
  "task:started",
  "task:succeeded",
  "task:failed",
  "task:retrying",
  "task:lease_lost",
  "run:finished",
] as const;

/**
 * Calls `onEvent` with every event of the run's log, in order, each once,
 * and resolves with the final record once the run has ended and every event
 * before its end was delivered.
 */
export async function followRun(
  engine: FlowMesh,
  runId: string,
  onEvent: (event: RunEvent) => void,
  options: FollowRunOptions = {},
): Promise<RunRecord> {
  const pageSize = options.pageSize ?? 500;
  let after: string | undefined;
  let reading: Promise<void> | undefined;
  let again = false;

  const drain = async (): Promise<void> => {
    for (;;) {
      const events = await engine.readEvents(runId, {
        ...(after === undefined ? {} : { after }),
        limit: pageSize,
      });
      for (const event of events) {
        after = event.id;
        onEvent(event);
      }
      if (events.length < pageSize) return;
    }
  };
  const wake = (): void => {
    if (reading !== undefined) {
      again = true;
      return;
    }
    reading = (async () => {
      do {
        again = false;
        // A failed read is retried on the next wake-up; the final drain below reports errors.
        await drain().catch((error: unknown) =>
          engine.logger.debug({ err: error }, "reading run events failed"),
        );
      } while (again);
    })().finally(() => {
      reading = undefined;
    });
  };

  const listener = (event: { runId?: string; run?: { id: string } }): void => {
    if ((event.runId ?? event.run?.id) === runId) wake();
  };
  for (const name of WAKE_EVENTS) engine.events.on(name, listener);
  const timer = setInterval(wake, options.pollMs ?? 250);
  try {
    wake();
    const run = await engine.waitForRun(runId);
    while (reading !== undefined) await reading;
    await drain();
    return run;
  } finally {
    clearInterval(timer);
    for (const name of WAKE_EVENTS) engine.events.off(name, listener);
  }
}
