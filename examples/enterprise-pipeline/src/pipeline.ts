/**
 * The workflow: a nightly ETL of orders. extract → transform → validate → load
 * → notify, each task receiving its upstream tasks' outputs in `ctx.deps`.
 * The source is flaky (its first attempt always fails) so the retry policy
 * shows; the load has a timeout and honours `ctx.signal`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { NonRetryableError, type TaskContext, type WorkflowDefinitionInput } from "@flowmesh/core";

/** The run's input. */
export interface PipelineInput {
  /** Business date of the batch, e.g. "2025-01-31". */
  batch: string;
}

/** A row as the source system sends it. */
export interface RawOrder {
  id: string;
  customer: string;
  amount: string;
  currency: string;
}

/** A row after transformation. */
export interface Order {
  id: string;
  customer: string;
  /** Null when the currency has no known rate. */
  amountEur: number | null;
}

export interface Extracted {
  source: string;
  batch: string;
  rows: RawOrder[];
}

export interface Validated {
  valid: Order[];
  rejected: { id: string; reason: string }[];
}

export interface Loaded {
  table: string;
  loaded: number;
  totalEur: number;
}

/** The exact retry policy of the product brief: up to 3 retries, 100 ms base delay doubling, full jitter. */
export const sourceRetry = { maxRetries: 3, baseDelay: 0.1, exponentialBase: 2.0, jitter: true };

export const etlPipeline: WorkflowDefinitionInput = {
  name: "enterprise-etl",
  version: "1",
  description: "Nightly orders ETL: extract from the orders API, convert to EUR, validate, load, notify",
  timeout: "1m",
  tasks: [
    { name: "extract", handler: extract, retry: sourceRetry, timeout: "2s" },
    { name: "transform", handler: transform, dependsOn: ["extract"] },
    { name: "validate", handler: validate, dependsOn: ["transform"] },
    // A number is seconds (the one durations rule): 5 s per attempt.
    { name: "load", handler: load, dependsOn: ["validate"], timeout: 5, retry: 2 },
    { name: "notify", handler: notify, dependsOn: ["validate", "load"] },
  ],
};

// ---------------------------------------------------------------- handlers

async function extract(ctx: TaskContext): Promise<Extracted> {
  const { batch } = ctx.input as PipelineInput;
  await sleep(15, undefined, { signal: ctx.signal });
  if (ctx.attempt === 1)
    throw new Error("orders API answered 503 Service Unavailable (simulated flaky source)");
  return { source: "orders-api", batch, rows: SOURCE_ROWS };
}

async function transform(ctx: TaskContext): Promise<{ orders: Order[] }> {
  const { rows } = ctx.deps.extract as Extracted;
  const orders = rows.map((row) => {
    const rate = EUR_PER_UNIT[row.currency];
    return {
      id: row.id,
      customer: row.customer.trim(),
      amountEur: rate === undefined ? null : round(Number(row.amount) * rate),
    };
  });
  return { orders };
}

async function validate(ctx: TaskContext): Promise<Validated> {
  const { orders } = ctx.deps.transform as { orders: Order[] };
  const result: Validated = { valid: [], rejected: [] };
  for (const order of orders) {
    const reason = rejectionReason(order);
    if (reason === undefined) result.valid.push(order);
    else result.rejected.push({ id: order.id, reason });
  }
  // Waiting will not fix bad data: fail at once instead of retrying.
  if (result.valid.length === 0) throw new NonRetryableError("every order of the batch was rejected");
  return result;
}

async function load(ctx: TaskContext): Promise<Loaded> {
  const { valid } = ctx.deps.validate as Validated;
  // The simulated warehouse write stops as soon as the attempt times out.
  await sleep(40, undefined, { signal: ctx.signal });
  const totalEur = round(valid.reduce((sum, order) => sum + (order.amountEur ?? 0), 0));
  return { table: "warehouse.orders", loaded: valid.length, totalEur };
}

async function notify(ctx: TaskContext): Promise<{ channel: string; message: string }> {
  const { batch } = ctx.input as PipelineInput;
  const { rejected } = ctx.deps.validate as Validated;
  const { loaded, totalEur, table } = ctx.deps.load as Loaded;
  const message = `batch ${batch}: ${loaded} orders (€${totalEur.toFixed(2)}) loaded into ${table}, ${rejected.length} rejected`;
  return { channel: "#data-engineering", message };
}

// ---------------------------------------------------------------- data

const SOURCE_ROWS: RawOrder[] = [
  { id: "A-1001", customer: "acme", amount: "1200.00", currency: "EUR" },
  { id: "A-1002", customer: "globex", amount: "860.50", currency: "USD" },
  { id: "A-1003", customer: "initech ", amount: "99.90", currency: "GBP" },
  { id: "A-1004", customer: "", amount: "15.00", currency: "EUR" },
  { id: "A-1005", customer: "umbrella", amount: "-40.00", currency: "EUR" },
  { id: "A-1006", customer: "hooli", amount: "2300.00", currency: "CHF" },
  { id: "A-1007", customer: "stark", amount: "410.00", currency: "USD" },
];

const EUR_PER_UNIT: Record<string, number> = { EUR: 1, USD: 0.92, GBP: 1.17 };

function rejectionReason(order: Order): string | undefined {
  if (order.customer === "") return "missing customer";
  if (order.amountEur === null) return "unknown currency";
  if (order.amountEur <= 0) return "amount must be positive";
  return undefined;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
