/** Wake-ups at known future times (retries becoming due): one timer, armed for the earliest. */
export class WakeTimer {
  private readonly times: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(private readonly fire: () => void) {}

  /** Fires `ms` from now (plus a few ms so the database agrees the time has come). */
  in(ms: number): void {
    const at = Date.now() + Math.max(0, ms) + 5;
    if (this.times.length < 10_000) this.times.push(at);
    this.arm();
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.times.length = 0;
  }

  private arm(): void {
    const next = Math.min(...this.times);
    if (!Number.isFinite(next) || next >= this.timerAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(this.onTimer, Math.max(0, next - Date.now()));
    this.timer.unref();
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = Date.now();
    let kept = 0;
    for (const at of this.times) if (at > now) this.times[kept++] = at;
    this.times.length = kept;
    this.fire();
    this.arm();
  };
}
