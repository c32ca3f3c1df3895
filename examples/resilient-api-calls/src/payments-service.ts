/**
 * A stand-in for a downstream payments API that goes down for a while: every
 * call during the outage fails with a 503, as a real dependency does during
 * an incident. It counts the calls it receives, so the example can show how
 * few reach it while the circuit breaker is open.
 */
export class PaymentsService {
  /** Calls that reached the service, with their time (ms since it was created). */
  readonly calls: { at: number; ok: boolean }[] = [];
  private readonly createdAt = performance.now();

  constructor(private readonly outageMs: number) {}

  async charge(
    orderId: string,
    amount: number,
  ): Promise<{ orderId: string; amount: number; receipt: string }> {
    const at = performance.now() - this.createdAt;
    const ok = at >= this.outageMs;
    this.calls.push({ at, ok });
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (!ok) throw new Error(`payments API: 503 Service Unavailable (order ${orderId})`);
    return { orderId, amount, receipt: `rcpt-${orderId}` };
  }
}
