/**
 * Two-step interruption: the first signal asks for a graceful stop (cancel
 * the run, drain the worker), a second one means "now".
 */

/** Signals handled by {@link onInterrupt}. */
export type StopSignal = "SIGINT" | "SIGTERM";

/**
 * Calls `graceful` on the first of `signals`, `force` on any later one.
 * Returns a function that removes the handlers.
 */
export function onInterrupt(
  signals: readonly StopSignal[],
  graceful: (signal: StopSignal) => void,
  force: (signal: StopSignal) => void,
): () => void {
  let received = 0;
  const handler = (signal: StopSignal): void => {
    received += 1;
    if (received === 1) graceful(signal);
    else force(signal);
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
