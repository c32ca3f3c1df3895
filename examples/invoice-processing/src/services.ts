/**
 * Stand-ins for the systems the workflow talks to: an ERP whose API fails
 * now and then (so `create_in_erp` retries) and refuses nothing twice thanks
 * to idempotency keys, and the accounting team's chat channel.
 */
import type { ValidatedInvoice } from "./inbox.js";

/** A booked invoice. */
export interface ErpDocument {
  documentId: string;
  invoiceNumber: string;
  vendorId: string;
  total: number;
}

/** An ERP API that answers 503 to the first call for each invoice. */
export class FlakyErp {
  readonly documents = new Map<string, ErpDocument>();
  calls = 0;
  private readonly failedOnce = new Set<string>();

  async createInvoice(invoice: ValidatedInvoice, idempotencyKey: string): Promise<ErpDocument> {
    this.calls++;
    if (!this.failedOnce.has(idempotencyKey)) {
      this.failedOnce.add(idempotencyKey);
      throw new Error("ERP answered 503 Service Unavailable");
    }
    // The same key returns the same document: a retried call never books an invoice twice.
    const existing = this.documents.get(idempotencyKey);
    if (existing !== undefined) return existing;
    const document: ErpDocument = {
      documentId: `ERP-${100_001 + this.documents.size}`,
      invoiceNumber: invoice.invoiceNumber,
      vendorId: invoice.vendorId,
      total: invoice.total,
    };
    this.documents.set(idempotencyKey, document);
    return document;
  }
}

/** The accounting channel: keeps what was posted. */
export class AccountingChannel {
  readonly name = "#accounts-payable";
  readonly messages: string[] = [];

  async post(message: string): Promise<void> {
    this.messages.push(message);
  }
}

/** What the effectful steps need; tests pass their own. */
export interface Services {
  erp: FlakyErp;
  accounting: AccountingChannel;
}
