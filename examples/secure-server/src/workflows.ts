/** Two tenants' workflows: each lives in its own namespace, and so do its runs. */
import { handlers, type WorkflowDefinitionInput } from "@flowmesh/core";

export const acmeInvoices: WorkflowDefinitionInput = {
  name: "acme-invoices",
  namespace: "acme",
  description: "Acme's nightly invoice export",
  tasks: [{ name: "collect" }, { name: "export", dependsOn: ["collect"] }],
};

export const globexReports: WorkflowDefinitionInput = {
  name: "globex-reports",
  namespace: "globex",
  description: "Globex's weekly report",
  tasks: [{ name: "render" }],
};

/** The task handlers, by task name. */
export const tenantHandlers = handlers({
  collect: () => ({ invoices: 42 }),
  export: (ctx) => ({ exported: (ctx.deps as { collect: { invoices: number } }).collect.invoices }),
  render: () => ({ pages: 7 }),
});
