/**
 * Processes the example inbox: one run of the five-step invoice workflow per
 * email, all at once, then prints what happened to each invoice. Exit code 0
 * when every invoice was booked or rejected by validation, 1 otherwise.
 */
import { createFlowMesh, createLogger } from "@flowmesh/core";
import { INBOX } from "./inbox.js";
import { AccountingChannel, FlakyErp, type Services } from "./services.js";
import { endedAsExpected, formatSummary, type Processed } from "./summary.js";
import { invoiceProcessing } from "./workflow.js";

const services: Services = { erp: new FlakyErp(), accounting: new AccountingChannel() };
// Errors only: the rejected invoice is reported below, not as a warning log line.
const fm = createFlowMesh({ logger: createLogger({ level: "error" }) });

try {
  await fm.register(invoiceProcessing(services));
  const processed: Processed[] = await Promise.all(
    INBOX.map(async (email) => {
      // The message id as idempotency key: a redelivered email does not start a second run.
      const handle = await fm.start("invoice-processing", email, { idempotencyKey: email.messageId });
      return { email, run: await handle.wait() };
    }),
  );
  console.log(formatSummary(processed, services));
  process.exitCode = processed.every(({ run }) => endedAsExpected(run)) ? 0 : 1;
} finally {
  await fm.close();
}
