/**
 * The five steps, each an async function wrapped by `task()`: the task is
 * named after the function, and reads the step before it from `ctx.deps`.
 * None declares `dependsOn`: listed in order, they run as a sequence.
 */
import { NonRetryableError, task, type TaskContext, type TaskOutput } from "@flowmesh/core";
import {
  VENDORS,
  type ExtractedDocument,
  type IncomingEmail,
  type InvoiceFields,
  type InvoiceLine,
  type ValidatedInvoice,
} from "./inbox.js";
import type { AccountingChannel, FlakyErp } from "./services.js";

export const extractFromEmail = task(
  { timeout: 10, description: "find the invoice PDF among the attachments" },
  async function extract_from_email(ctx: TaskContext<IncomingEmail>): Promise<ExtractedDocument> {
    const pdf = ctx.input.attachments.find((a) => a.contentType === "application/pdf");
    if (pdf === undefined) throw new NonRetryableError(`email ${ctx.input.messageId} has no PDF attachment`);
    return {
      messageId: ctx.input.messageId,
      sender: ctx.input.from,
      filename: pdf.filename,
      scan: pdf.content,
    };
  },
);

export const ocrProcessing = task(
  { timeout: 60, retryCount: 2 },
  async function ocr_processing(
    ctx: TaskContext<IncomingEmail, { extract_from_email: TaskOutput<typeof extractFromEmail> }>,
  ): Promise<InvoiceFields> {
    const { scan, filename } = ctx.deps.extract_from_email;
    const field = (label: string) => {
      const value = new RegExp(`^${label}: (.+)$`, "m").exec(scan)?.[1]?.trim();
      if (value === undefined) throw new NonRetryableError(`${filename}: no "${label}" found on the scan`);
      return value;
    };
    const lines = [...scan.matchAll(/^Line: (.+?) \| (\d+) \| ([\d.]+)$/gm)].map(
      ([, description, quantity, unitPrice]): InvoiceLine => ({
        description: description!,
        quantity: Number(quantity),
        unitPrice: Number(unitPrice),
      }),
    );
    return {
      invoiceNumber: /^INVOICE (\S+)$/m.exec(scan)?.[1] ?? field("Invoice"),
      vendor: field("Vendor"),
      issued: field("Date"),
      currency: field("Currency"),
      lines,
      total: Number(field("Total")),
    };
  },
);

export const validateData = task(
  { description: "reject invoices accounting would reject" },
  async function validate_data(
    ctx: TaskContext<IncomingEmail, { ocr_processing: TaskOutput<typeof ocrProcessing> }>,
  ): Promise<ValidatedInvoice> {
    const invoice = ctx.deps.ocr_processing;
    const vendorId = VENDORS[invoice.vendor];
    // Bad data does not get better on a retry: NonRetryableError fails the run at once.
    if (vendorId === undefined) throw new NonRetryableError(`unknown vendor "${invoice.vendor}"`);
    if (invoice.lines.length === 0) throw new NonRetryableError("the invoice has no lines");
    const sum = cents(invoice.lines.reduce((total, line) => total + line.quantity * line.unitPrice, 0));
    if (sum !== cents(invoice.total)) {
      throw new NonRetryableError(
        `total ${money(invoice.total)} does not match the line items (${money(sum / 100)})`,
      );
    }
    return { ...invoice, vendorId, checks: ["known vendor", "lines add up to the total"] };
  },
);

/** Books the invoice; the ERP may fail, so it retries, with the task's idempotency key. */
export function createInErp(erp: FlakyErp) {
  return task(
    { timeout: 10, retryCount: 3 },
    async function create_in_erp(ctx: TaskContext<IncomingEmail, { validate_data: ValidatedInvoice }>) {
      return erp.createInvoice(ctx.deps.validate_data, ctx.idempotencyKey);
    },
  );
}

/** Tells accounting the invoice is booked. */
export function notifyAccounting(channel: AccountingChannel) {
  return task(async function notify_accounting(
    ctx: TaskContext<IncomingEmail, { create_in_erp: TaskOutput<ReturnType<typeof createInErp>> }>,
  ) {
    const document = ctx.deps.create_in_erp;
    const message = `${document.invoiceNumber} (${document.vendorId}, ${money(document.total)}) booked as ${document.documentId}`;
    await channel.post(message);
    return { channel: channel.name, message };
  });
}

/** `1234.5` → `"EUR 1,234.50"`. */
export function money(amount: number): string {
  return `EUR ${amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function cents(amount: number): number {
  return Math.round(amount * 100);
}
