/**
 * The example's data: invoice emails as they arrive, with the scanned
 * invoice as a text "PDF" an OCR step can read, and the invoice shapes each
 * step hands on.
 */

/** An email as the mail gateway delivers it: the run's input. */
export interface IncomingEmail {
  messageId: string;
  from: string;
  subject: string;
  attachments: { filename: string; contentType: string; content: string }[];
}

/** What `extract_from_email` hands on. */
export interface ExtractedDocument {
  messageId: string;
  sender: string;
  filename: string;
  scan: string;
}

/** One invoice line. */
export interface InvoiceLine {
  description: string;
  quantity: number;
  unitPrice: number;
}

/** What `ocr_processing` hands on: the fields read from the scan. */
export interface InvoiceFields {
  invoiceNumber: string;
  vendor: string;
  issued: string;
  currency: string;
  lines: InvoiceLine[];
  total: number;
}

/** What `validate_data` hands on. */
export interface ValidatedInvoice extends InvoiceFields {
  vendorId: string;
  checks: string[];
}

/** Vendors accounting knows, by name. */
export const VENDORS: Readonly<Record<string, string>> = {
  "Acme Office Supplies": "V-1001",
  "Northwind Logistics": "V-1002",
};

/** Three invoices arrive; the third's total does not add up. */
export const INBOX: readonly IncomingEmail[] = [
  email("msg-001", "billing@acme.example", "INV-2026-0142", [
    "Vendor: Acme Office Supplies",
    "Date: 2026-03-02",
    "Currency: EUR",
    "Line: Printer paper A4 | 40 | 4.95",
    "Line: Toner cartridge | 3 | 89.00",
    "Total: 465.00",
  ]),
  email("msg-002", "ap@northwind.example", "INV-NW-7781", [
    "Vendor: Northwind Logistics",
    "Date: 2026-03-03",
    "Currency: EUR",
    "Line: Pallet freight Hamburg-Lyon | 2 | 640.00",
    "Total: 1280.00",
  ]),
  email("msg-003", "billing@acme.example", "INV-2026-0150", [
    "Vendor: Acme Office Supplies",
    "Date: 2026-03-04",
    "Currency: EUR",
    "Line: Desk chairs | 4 | 129.00",
    "Total: 561.00",
  ]),
];

function email(messageId: string, from: string, invoiceNumber: string, body: string[]): IncomingEmail {
  return {
    messageId,
    from,
    subject: `Invoice ${invoiceNumber}`,
    attachments: [
      { filename: "logo.png", contentType: "image/png", content: "" },
      {
        filename: `${invoiceNumber}.pdf`,
        contentType: "application/pdf",
        content: [`INVOICE ${invoiceNumber}`, ...body].join("\n"),
      },
    ],
  };
}
