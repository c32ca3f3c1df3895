/** The workflow the shop runs for every order: reserve stock, charge, ship. */
import type { WorkflowDefinitionInput } from "@flowmesh/core";

export interface Order {
  id: string;
  sku: string;
  quantity: number;
}

export const fulfilment: WorkflowDefinitionInput = {
  name: "fulfil-order",
  description: "Reserve stock, charge the customer, then ship",
  tasks: [
    {
      name: "reserve_stock",
      handler: (ctx) => {
        const order = ctx.input as Order;
        return { reserved: order.quantity, sku: order.sku };
      },
    },
    {
      name: "charge_payment",
      dependsOn: ["reserve_stock"],
      retry: { maxRetries: 2, baseDelay: "10ms" },
      handler: (ctx) => ({ charged: (ctx.input as Order).quantity * 1999, currency: "EUR" }),
    },
    {
      name: "ship",
      dependsOn: ["charge_payment"],
      handler: (ctx) => ({ tracking: `TRACK-${(ctx.input as Order).id}` }),
    },
  ],
};
