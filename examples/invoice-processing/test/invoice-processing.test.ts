import { fileURLToPath } from "node:url";
import {
  createFlowMesh,
  createLogger,
  NonRetryableError,
  type RunRecord,
  type TaskContext,
} from "@flowmesh/core";
import { describe, expect, it } from "vitest";
import { runEntryPoint } from "../../test-kit/run-entry-point.js";
import { INBOX, type IncomingEmail, type InvoiceFields } from "../src/inbox.js";
import { AccountingChannel, FlakyErp, type Services } from "../src/services.js";
import { endedAsExpected, formatSummary } from "../src/summary.js";
import { extractFromEmail, validateData } from "../src/tasks.js";
import { invoiceProcessing, STEPS } from "../src/workflow.js";

const entryPoint = fileURLToPath(new URL("../dist/main.js", import.meta.url));

/** Processes the given emails on a fresh engine and fresh services. */
async function processInbox(emails: readonly IncomingEmail[] = INBOX) {
  const services: Services = { erp: new FlakyErp(), accounting: new AccountingChannel() };
  const fm = createFlowMesh({ logger: createLogger({ level: "silent" }) });
  try {
    await fm.register(invoiceProcessing(services));
    const runs: RunRecord[] = [];
    for (const email of emails) {
      runs.push(
        await (await fm.start("invoice-processing", email, { idempotencyKey: email.messageId })).wait(),
      );
    }
    return { runs, services };
  } finally {
    await fm.close();
  }
}

describe("the invoice processing example", () => {
  it("makes the plain list of five task functions a sequence, in list order", () => {
    const definition = invoiceProcessing({ erp: new FlakyErp(), accounting: new AccountingChannel() });
    expect(definition.tasks.map((t) => [t.name, t.dependsOn ?? []])).toEqual([
      ["extract_from_email", []],
      ["ocr_processing", ["extract_from_email"]],
      ["validate_data", ["ocr_processing"]],
      ["create_in_erp", ["validate_data"]],
      ["notify_accounting", ["create_in_erp"]],
    ]);
    expect(definition.tasks.map((t) => t.name)).toEqual([...STEPS]);
    expect(definition.tasks.find((t) => t.name === "create_in_erp")).toMatchObject({ timeout: 10, retry: 3 });
  });

  it("books a valid invoice: each step received the previous one's output", async () => {
    const { runs, services } = await processInbox([INBOX[0]!]);
    const run = runs[0]!;
    expect(run.status).toBe("succeeded");
    expect(run.tasks.extract_from_email!.output).toMatchObject({ filename: "INV-2026-0142.pdf" });
    expect(run.tasks.ocr_processing!.output).toMatchObject({
      invoiceNumber: "INV-2026-0142",
      vendor: "Acme Office Supplies",
      total: 465,
      lines: [
        { description: "Printer paper A4", quantity: 40, unitPrice: 4.95 },
        { description: "Toner cartridge", quantity: 3, unitPrice: 89 },
      ],
    });
    expect(run.tasks.validate_data!.output).toMatchObject({ vendorId: "V-1001" });
    // The ERP failed once; the retry used the same idempotency key and booked one document.
    expect(run.tasks.create_in_erp!).toMatchObject({
      attempts: 2,
      output: { documentId: "ERP-100001", total: 465 },
    });
    expect([...services.erp.documents.keys()]).toEqual([`${run.id}:create_in_erp`]);
    expect(run.tasks.notify_accounting!.output).toEqual({
      channel: "#accounts-payable",
      message: "INV-2026-0142 (V-1001, EUR 465.00) booked as ERP-100001",
    });
    expect(services.accounting.messages).toEqual(["INV-2026-0142 (V-1001, EUR 465.00) booked as ERP-100001"]);
  });

  it("rejects an invoice whose total does not add up: nothing after validate_data runs, nothing is booked", async () => {
    const { runs, services } = await processInbox([INBOX[2]!]);
    const run = runs[0]!;
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({
      task: "validate_data",
      name: "NonRetryableError",
      message: "total EUR 561.00 does not match the line items (EUR 516.00)",
    });
    expect(run.tasks.validate_data!.attempts).toBe(1);
    expect([run.tasks.create_in_erp!.status, run.tasks.notify_accounting!.status]).toEqual([
      "upstream_failed",
      "upstream_failed",
    ]);
    expect(services.erp.calls).toBe(0);
    expect(services.accounting.messages).toEqual([]);
    expect(endedAsExpected(run)).toBe(true);
  });

  it("keeps each task function callable on its own", async () => {
    const doc = await extractFromEmail({ input: INBOX[1]! } as TaskContext<IncomingEmail>);
    expect(doc).toMatchObject({ messageId: "msg-002", filename: "INV-NW-7781.pdf" });
    const fields: InvoiceFields = {
      invoiceNumber: "X-1",
      vendor: "Unknown GmbH",
      issued: "2026-03-01",
      currency: "EUR",
      lines: [{ description: "x", quantity: 1, unitPrice: 1 }],
      total: 1,
    };
    await expect(
      validateData({ deps: { ocr_processing: fields } } as TaskContext<
        IncomingEmail,
        { ocr_processing: InvoiceFields }
      >),
    ).rejects.toThrow(new NonRetryableError('unknown vendor "Unknown GmbH"'));
  });

  it("summarizes every invoice and the steps side by side", async () => {
    const { runs, services } = await processInbox();
    const text = formatSummary(
      INBOX.map((email, i) => ({ email, run: runs[i]! })),
      services,
    );
    expect(text).toMatch(
      /^ {2}msg-001 +INV-2026-0142 +Acme Office Supplies +EUR 465\.00 +BOOKED as ERP-\d+$/m,
    );
    expect(text).toMatch(/^ {2}msg-003 .* REJECTED at validate_data: total EUR 561\.00 does not match/m);
    expect(text).toMatch(
      /^ {2}create_in_erp +succeeded \(2 tries\) +succeeded \(2 tries\) +upstream_failed$/m,
    );
    expect(text).toContain("ERP: 2 invoices booked in 4 API calls");
  });

  it("runs from its entry point: prints the result and exits 0", { timeout: 20_000 }, async () => {
    const { code, stdout, stderr } = await runEntryPoint(entryPoint);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toContain(
      "extract_from_email → ocr_processing → validate_data → create_in_erp → notify_accounting",
    );
    expect(stdout.match(/BOOKED as ERP-\d+/g)).toHaveLength(2);
    expect(stdout).toContain("REJECTED at validate_data");
  });
});
