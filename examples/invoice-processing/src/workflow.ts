/**
 * The brief's invoice workflow, as written there: five steps in a list.
 * No step declares `dependsOn`, so `workflow()` runs them in list order,
 * each receiving the previous step's output.
 */
import { workflow, type WorkflowDefinitionInput } from "@flowmesh/core";
import type { Services } from "./services.js";
import { createInErp, extractFromEmail, notifyAccounting, ocrProcessing, validateData } from "./tasks.js";

export const STEPS = [
  "extract_from_email",
  "ocr_processing",
  "validate_data",
  "create_in_erp",
  "notify_accounting",
] as const;

export function invoiceProcessing(services: Services): WorkflowDefinitionInput {
  return workflow(
    { name: "invoice-processing", description: "From an emailed invoice to a booked ERP document" },
    () => [
      extractFromEmail,
      ocrProcessing,
      validateData,
      createInErp(services.erp),
      notifyAccounting(services.accounting),
    ],
  );
}
