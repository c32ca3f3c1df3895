/**
 * The invoice report's task functions, and the plugin factory the config
 * lists as `./dist/invoice-tasks.js`: it installs core's `handlers` plugin,
 * which resolves each task of the YAML workflow by its name.
 */
import { handlers, NonRetryableError, type FlowMeshPlugin, type TaskContext } from "@flowmesh/core";

export interface Invoice {
  id: string;
  customer: string;
  amount: number;
  due: string;
  paid: boolean;
}

export interface ReportInput {
  /** The month to report on, `YYYY-MM`. */
  month: string;
  /** The day overdue is measured against, `YYYY-MM-DD`. */
  today: string;
}

const INVOICES: readonly Invoice[] = [
  { id: "INV-1001", customer: "Acme", amount: 1200, due: "2025-01-10", paid: true },
  { id: "INV-1002", customer: "Globex", amount: 860.5, due: "2025-01-15", paid: false },
  { id: "INV-1003", customer: "Initech", amount: 430, due: "2025-01-31", paid: false },
  { id: "INV-1004", customer: "Umbrella", amount: 1520, due: "2025-02-05", paid: false },
  { id: "INV-1005", customer: "Hooli", amount: 200, due: "2025-01-20", paid: true },
];

/** The billing API is flaky: the first attempt of every run fails and the workflow's retry takes over. */
export function fetchInvoices(ctx: TaskContext<ReportInput>): Invoice[] {
  if (!/^\d{4}-\d{2}$/.test(ctx.input.month)) throw new NonRetryableError(`bad month "${ctx.input.month}"`);
  if (ctx.attempt === 1) throw new Error("billing API answered 503");
  return INVOICES.filter((invoice) => invoice.due.startsWith(ctx.input.month));
}

export function total(ctx: TaskContext<ReportInput, { fetch_invoices: Invoice[] }>): number {
  return Math.round(ctx.deps.fetch_invoices.reduce((sum, invoice) => sum + invoice.amount, 0) * 100) / 100;
}

export function overdue(ctx: TaskContext<ReportInput, { fetch_invoices: Invoice[] }>): string[] {
  return ctx.deps.fetch_invoices
    .filter((invoice) => !invoice.paid && invoice.due < ctx.input.today)
    .map((invoice) => invoice.id);
}

export function summary(ctx: TaskContext<ReportInput, { total: number; overdue: string[] }>): string {
  const late = ctx.deps.overdue.length === 0 ? "none overdue" : `overdue: ${ctx.deps.overdue.join(", ")}`;
  return `${ctx.input.month}: €${ctx.deps.total.toFixed(2)} invoiced, ${late}`;
}

/** The factory a config lists: no options, every task function by task name. */
export default function invoiceTasks(): FlowMeshPlugin {
  return handlers({ fetch_invoices: fetchInvoices, total, overdue, summary });
}
