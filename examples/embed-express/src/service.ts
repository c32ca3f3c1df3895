/**
 * An existing Express service (orders) that embeds FlowMesh: its own routes
 * stay as they were, the FlowMesh API is mounted under `/flowmesh`, and
 * `POST /orders` starts a fulfilment run from the service's own code.
 */
import type { FlowMesh } from "@flowmesh/core";
import { createFlowMeshApp, toNodeHandler } from "@flowmesh/server";
import express, { type Express } from "express";
import type { Order } from "./fulfilment.js";

export function createService(engine: FlowMesh): Express {
  const app = express();
  // The service parses JSON for its own routes; FlowMesh gets the body re-serialised by toNodeHandler.
  app.use(express.json());
  const orders = new Map<string, Order & { runId: string }>();

  app.get("/orders", (_req, res) => {
    res.json({ orders: [...orders.values()] });
  });

  app.post("/orders", async (req, res, next) => {
    try {
      const body = req.body as Partial<Order> | undefined;
      if (typeof body?.sku !== "string" || typeof body.quantity !== "number") {
        res.status(422).json({ error: "expected { sku: string, quantity: number }" });
        return;
      }
      const id = `ord-${orders.size + 1}`;
      const order: Order = { id, sku: body.sku, quantity: body.quantity };
      // The order id is the idempotency key: a retried POST never ships twice.
      const run = await engine.start("fulfil-order", order, {
        idempotencyKey: id,
        startedBy: "orders-service",
      });
      orders.set(id, { ...order, runId: run.id });
      res.status(201).json({ ...order, runId: run.id, monitor: `/flowmesh/runs/${run.id}` });
    } catch (error) {
      next(error);
    }
  });

  app.get("/orders/:id", async (req, res, next) => {
    try {
      const order = orders.get(req.params.id);
      if (order === undefined) {
        res.status(404).json({ error: "no such order" });
        return;
      }
      const run = await engine.getRun(order.runId);
      res.json({ ...order, status: run?.status });
    } catch (error) {
      next(error);
    }
  });

  // The whole FlowMesh API (runs, workflows, SSE events, /openapi.json, /docs) under /flowmesh.
  app.use("/flowmesh", toNodeHandler(createFlowMeshApp(engine)));
  return app;
}
