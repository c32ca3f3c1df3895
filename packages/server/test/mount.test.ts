import "reflect-metadata";
import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";
import { createFlowMesh, createLogger, type FlowMesh, type RunRecord } from "@flowmesh/core";
import { serve } from "@hono/node-server";
import { Controller, Get, Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { createFlowMeshApp, fastifyFlowMesh, toNodeHandler } from "../src/index.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function engine(): Promise<FlowMesh> {
  const fm = createFlowMesh({ logger: createLogger({ level: "silent" }) });
  cleanups.push(() => fm.close());
  await fm.register({
    name: "greet",
    tasks: [{ name: "hello", handler: (ctx) => `hello ${String((ctx.input as { who: string }).who)}` }],
  });
  return fm;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
    cleanups.push(
      () =>
        new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
    );
  });
}

/** The same checks through every host: the host's own route, FlowMesh under /flowmesh with JSON and YAML bodies. */
async function checkMounted(base: string, fm: FlowMesh): Promise<void> {
  expect(await (await fetch(`${base}/own`)).text()).toContain("own route");
  const started = await fetch(`${base}/flowmesh/runs`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": "k" },
    body: JSON.stringify({ workflow: "greet", input: { who: "mount" } }),
  });
  expect(started.status).toBe(201);
  const run = (await started.json()) as RunRecord;
  expect(started.headers.get("location")).toBe(`/flowmesh/runs/${run.id}`);
  expect(run.input).toEqual({ who: "mount" });
  const replay = await fetch(`${base}/flowmesh/runs`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": "k" },
    body: JSON.stringify({ workflow: "greet", input: { who: "mount" } }),
  });
  expect(replay.status).toBe(200);
  await fm.waitForRun(run.id);
  const read = (await (await fetch(`${base}/flowmesh/runs/${run.id}`)).json()) as RunRecord;
  expect(read.tasks.hello!.output).toBe("hello mount");
  const yaml = await fetch(`${base}/flowmesh/workflows`, {
    method: "POST",
    headers: { "content-type": "application/yaml" },
    body: "name: inline\ntasks:\n  - name: hello\n",
  });
  // No handler named "hello" is registered: the YAML was read, and the error names the task.
  expect(yaml.status).toBe(422);
  expect(await yaml.text()).toContain("hello");
  const invalid = await fetch(`${base}/flowmesh/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ workflow: "greet", status: "succeeded" }),
  });
  expect(invalid.status).toBe(422);
  const missing = await fetch(`${base}/flowmesh/nowhere`);
  expect(missing.status).toBe(404);
  expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("FM_ERR_NOT_FOUND");
  const doc = (await (await fetch(`${base}/flowmesh/openapi.json`)).json()) as { servers: { url: string }[] };
  expect(doc.servers).toEqual([{ url: "/flowmesh" }]);
  const events = await fetch(`${base}/flowmesh/runs/${run.id}/events`);
  expect(await events.text()).toContain("event: run:succeeded");
}

describe("mounting", () => {
  it("Express 5: app.use('/flowmesh', toNodeHandler(app)) after express.json() consumed the body", async () => {
    const fm = await engine();
    const app = express();
    app.use(express.json());
    app.get("/own", (_req, res) => void res.send("own route"));
    app.use("/flowmesh", toNodeHandler(createFlowMeshApp(fm)));
    await checkMounted(await listen(createServer(app)), fm);
  });

  it("Fastify 5: register(fastifyFlowMesh(app), { prefix: '/flowmesh' }) next to routes with parsed JSON bodies", async () => {
    const fm = await engine();
    const app = Fastify();
    cleanups.push(() => app.close());
    app.get("/own", () => "own route");
    app.post("/echo", (request) => request.body);
    await app.register(fastifyFlowMesh(createFlowMeshApp(fm)), { prefix: "/flowmesh" });
    const base = await app.listen({ port: 0, host: "127.0.0.1" });
    await checkMounted(base, fm);
    const echo = await fetch(`${base}/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
    });
    expect(await echo.json()).toEqual({ a: 1 });
  });

  it("NestJS 11 (Express adapter): nestApp.use('/flowmesh', toNodeHandler(app)) behind Nest's body parser", async () => {
    const fm = await engine();
    class OwnController {
      own(): string {
        return "own route";
      }
    }
    const descriptor = Object.getOwnPropertyDescriptor(OwnController.prototype, "own")!;
    Get()(OwnController.prototype, "own", descriptor);
    Controller("own")(OwnController);
    class AppModule {}
    Module({ controllers: [OwnController] })(AppModule);
    const nest = await NestFactory.create(AppModule, { logger: false });
    cleanups.push(() => nest.close());
    nest.use("/flowmesh", toNodeHandler(createFlowMeshApp(fm)));
    await nest.listen(0, "127.0.0.1");
    const port = ((nest.getHttpServer() as Server).address() as AddressInfo).port;
    await checkMounted(`http://127.0.0.1:${port}`, fm);
  });

  it("Hono: host.route('/flowmesh', app)", async () => {
    const fm = await engine();
    const host = new Hono();
    host.get("/own", (c) => c.text("own route"));
    host.route("/flowmesh", createFlowMeshApp(fm));
    const server = serve({ fetch: host.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    cleanups.push(
      () =>
        new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
    );
    await checkMounted(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, fm);
  });
});
