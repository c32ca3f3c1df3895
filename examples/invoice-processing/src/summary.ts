/**
 * The printed result: one line per invoice, the five steps' statuses side
 * by side, and what reached the ERP and the accounting channel.
 */
import type { RunRecord } from "@flowmesh/core";
import type { IncomingEmail, InvoiceFields } from "./inbox.js";
import type { ErpDocument, Services } from "./services.js";
import { money } from "./tasks.js";
import { STEPS } from "./workflow.js";

export interface Processed {
  email: IncomingEmail;
  run: RunRecord;
}

/** A run ended as the business expects: booked, or rejected by validation (nothing booked). */
export function endedAsExpected(run: RunRecord): boolean {
  return run.status === "succeeded" || (run.status === "failed" && run.error?.task === "validate_data");
}

export function formatSummary(processed: readonly Processed[], services: Services): string {
  const lines = [
    `FlowMesh invoice processing: ${processed.length} emails, each a run of 5 steps in sequence`,
    `  ${STEPS.join(" → ")}`,
    "",
    "Invoices",
  ];
  for (const { email, run } of processed) {
    const fields = run.tasks.ocr_processing?.output as InvoiceFields | undefined;
    const head = `  ${email.messageId}  ${(fields?.invoiceNumber ?? "?").padEnd(14)} ${(fields?.vendor ?? "?").padEnd(21)} ${(fields ? money(fields.total) : "?").padEnd(13)}`;
    if (run.status === "succeeded") {
      const document = run.tasks.create_in_erp!.output as ErpDocument;
      lines.push(`${head} BOOKED as ${document.documentId}`);
    } else {
      lines.push(
        `${head} ${run.status === "failed" ? "REJECTED" : run.status.toUpperCase()} at ${run.error?.task ?? "?"}: ${run.error?.message ?? ""}`,
      );
    }
  }
  const width = 22;
  lines.push(
    "",
    `Steps${" ".repeat(16)}${processed.map((p) => p.email.messageId.padEnd(width)).join("")}`.trimEnd(),
  );
  for (const step of STEPS) {
    const cells = processed.map(({ run }) => {
      const task = run.tasks[step]!;
      return `${task.status}${task.attempts > 1 ? ` (${task.attempts} tries)` : ""}`.padEnd(width);
    });
    lines.push(`  ${step.padEnd(19)}${cells.join("")}`.trimEnd());
  }
  lines.push(
    "",
    `ERP: ${services.erp.documents.size} invoices booked in ${services.erp.calls} API calls (each first call failed with a 503 and was retried)`,
    `Accounting channel ${services.accounting.name}:`,
    ...services.accounting.messages.map((message) => `  ${message}`),
  );
  return lines.join("\n");
}
