import { AsyncSeriesBailHook, AsyncSeriesHook } from "tapable";
import { describe, expect, it } from "vitest";
import { definePlugin, MemoryCoordinator } from "../../src/plugin.js";
import type {
  Coordinator,
  CreateRunRequest,
  CreateRunResult,
  HookRegistry,
  PluginContext,
  ScopedHook,
} from "../../src/plugin.js";
import { createLogger } from "../../src/index.js";
import type { BeforeTaskDecision, TaskContext } from "../../src/index.js";
import { errorOf, LineCapture, MapRunStore, sleep, useEngines } from "../support/engine.js";

const engine = useEngines();

/** A plugin that records, in `log`, when its setup ran and when its beforeTask/afterTask taps ran. */
function tracer(name: string, log: string[], enforce?: "pre" | "post") {
  return definePlugin({
    name,
    ...(enforce === undefined ? {} : { enforce }),
    setup(ctx) {
      log.push(`setup:${name}`);
      ctx.hooks.beforeTask.tapPromise(async () => {
        log.push(`beforeTask:${name}`);
        return undefined;
      });
      ctx.hooks.afterTask.tap(() => void log.push(`afterTask:${name}`));
    },
  })();
}

describe("plugin order", () => {
  it("sets up and taps `pre` plugins first and `post` plugins last, list order within each", async () => {
    const log: string[] = [];
    const fm = engine({
      plugins: [
        tracer("late", log, "post"),
        tracer("normal-1", log),
        tracer("early", log, "pre"),
        tracer("normal-2", log),
        tracer("early-2", log, "pre"),
      ],
    });
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => void log.push("handler") }] });
    await (await fm.start("wf")).result();
    await sleep(5);
    const order = ["early", "early-2", "normal-1", "normal-2", "late"];
    expect(log).toEqual([
      ...order.map((n) => `setup:${n}`),
      ...order.map((n) => `beforeTask:${n}`),
      "handler",
      ...order.map((n) => `afterTask:${n}`),
    ]);
  });
});

describe("plugin validation at start", () => {
  it("fails with FM_ERR_PLUGIN when a dependency is not installed", async () => {
    const needy = definePlugin({ name: "dashboard", dependencies: ["metrics", "auth"], setup() {} });
    const auth = definePlugin({ name: "auth", setup() {} });
    const fm = engine({ plugins: [needy(), auth()] });
    const error = await errorOf(() => fm.ready());
    expect(error.code).toBe("FM_ERR_PLUGIN");
    expect(error.message).toContain('plugin "dashboard" needs "metrics"');
    expect(error.message).not.toContain('"auth"');
    expect(error.details).toMatchObject({ plugin: "dashboard", missing: ["metrics"] });
  });

  it("accepts a dependency listed after the plugin that needs it", async () => {
    const log: string[] = [];
    const needy = definePlugin({
      name: "dashboard",
      dependencies: ["metrics"],
      setup: () => void log.push("dashboard"),
    });
    const metrics = definePlugin({ name: "metrics", setup: () => void log.push("metrics") });
    const fm = engine({ plugins: [needy(), metrics()] });
    await fm.ready();
    expect(log.sort()).toEqual(["dashboard", "metrics"]);
  });

  it("fails with FM_ERR_PLUGIN when two plugins have the same name", async () => {
    let setups = 0;
    const twin = definePlugin({ name: "twin", setup: () => void setups++ });
    const fm = engine({ plugins: [twin(), twin()] });
    const error = await errorOf(() => fm.start("wf"));
    expect(error.code).toBe("FM_ERR_PLUGIN");
    expect(error.message).toContain('plugin "twin" is installed twice');
    expect(setups).toBe(0);
  });

  it("fails with FM_ERR_PLUGIN when two plugins provide the backend, naming both", async () => {
    const storeA = definePlugin({
      name: "store-a",
      setup: (ctx) => ctx.provide("backend", new MemoryCoordinator()),
    });
    const storeB = definePlugin({
      name: "store-b",
      setup: (ctx) => ctx.provide("backend", new MemoryCoordinator()),
    });
    const fm = engine({ plugins: [storeA(), storeB()] });
    const error = await errorOf(() => fm.ready());
    expect(error.code).toBe("FM_ERR_PLUGIN");
    expect(error.message).toContain('"store-b"');
    expect(error.message).toContain('"store-a"');
    expect(error.message).toContain('"backend"');
  });

  it("fails with FM_ERR_PLUGIN when a plugin provides a backend and one is also passed to createFlowMesh", async () => {
    const store = definePlugin({
      name: "store",
      setup: (ctx) => ctx.provide("backend", new MemoryCoordinator()),
    });
    const fm = engine({ plugins: [store()], backend: new MemoryCoordinator() });
    const error = await errorOf(() => fm.ready());
    expect(error.code).toBe("FM_ERR_PLUGIN");
    expect(error.message).toContain('"store"');
  });
});

describe("plugin context", () => {
  it("uses the backend a plugin provides", async () => {
    const created: CreateRunRequest[] = [];
    class RecordingCoordinator extends MemoryCoordinator {
      override readonly kind = "recording";
      override async createRun(request: CreateRunRequest): Promise<CreateRunResult> {
        created.push(request);
        return super.createRun(request);
      }
    }
    const coordinator: Coordinator = new RecordingCoordinator();
    const store = definePlugin({
      name: "recording-store",
      setup: (ctx) => ctx.provide("backend", coordinator),
    });
    const fm = engine({ plugins: [store()] });
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => "stored" }] });
    const handle = await fm.start("wf");
    expect(await handle.result()).toEqual({ t: "stored" });
    expect(created.map((r) => r.id)).toEqual([handle.id]);
    expect((await fm.health()).backend).toBe("recording");
    expect((await coordinator.getRun(handle.id))!.tasks.t!.output).toBe("stored");
  });

  it("uses a RunStore a plugin provides, saving each state change", async () => {
    const store = new MapRunStore();
    const plugin = definePlugin({ name: "map-store", setup: (ctx) => ctx.provide("backend", store) });
    const fm = engine({ plugins: [plugin()] });
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => "saved" }] });
    const handle = await fm.start("wf");
    await handle.result();
    expect(store.records.get(handle.id)).toMatchObject({
      status: "succeeded",
      tasks: { t: { output: "saved" } },
    });
    expect((await fm.health()).backend).toBe("local");
  });

  it("lets a plugin use a capability provided by one set up before it", async () => {
    let seen: unknown;
    const coordinator = new MemoryCoordinator();
    const provider = definePlugin({
      name: "provider",
      enforce: "pre",
      setup: (ctx) => ctx.provide("backend", coordinator),
    });
    const consumer = definePlugin({ name: "consumer", setup: (ctx) => void (seen = ctx.use("backend")) });
    const fm = engine({ plugins: [consumer(), provider()] });
    await fm.ready();
    expect(seen).toBe(coordinator);
  });

  it("runs onClose cleanups in reverse setup order when the engine closes, after draining", async () => {
    const log: string[] = [];
    const withCleanup = (name: string, enforce?: "pre" | "post") =>
      definePlugin({
        name,
        ...(enforce === undefined ? {} : { enforce }),
        setup(ctx: PluginContext) {
          ctx.onClose(async () => {
            await sleep(1);
            log.push(`close:${name}`);
          });
        },
      })();
    const fm = engine({ plugins: [withCleanup("b"), withCleanup("c", "post"), withCleanup("a", "pre")] });
    await fm.register({
      name: "wf",
      tasks: [
        {
          name: "t",
          handler: async () => {
            await sleep(30);
            log.push("task done");
          },
        },
      ],
    });
    await fm.start("wf");
    await sleep(5);
    await fm.close();
    expect(log).toEqual(["task done", "close:c", "close:b", "close:a"]);
  });

  it("logs a failing cleanup with the plugin's name and still runs the others", async () => {
    const out = new LineCapture();
    const log: string[] = [];
    const bad = definePlugin({
      name: "bad-cleanup",
      setup: (ctx) =>
        ctx.onClose(() => {
          throw new Error("socket already closed");
        }),
    });
    const good = definePlugin({
      name: "good-cleanup",
      setup: (ctx) => ctx.onClose(() => void log.push("good")),
    });
    const fm = engine({
      plugins: [good(), bad()],
      logger: createLogger({ destination: out, level: "error" }),
    });
    await fm.ready();
    await fm.close();
    expect(log).toEqual(["good"]);
    expect(out.lines.find((l) => l.plugin === "bad-cleanup")).toMatchObject({ level: "error" });
  });

  it("gives setup a child logger carrying the plugin's name", async () => {
    const out = new LineCapture();
    const chatty = definePlugin({
      name: "chatty",
      setup: (ctx) => ctx.logger.info({ ready: true }, "plugin ready"),
    });
    const fm = engine({ plugins: [chatty()], logger: createLogger({ destination: out, level: "info" }) });
    await fm.ready();
    expect(out.lines.find((l) => l.message === "plugin ready")).toMatchObject({
      plugin: "chatty",
      ready: true,
      level: "info",
    });
  });

  it("names the plugin in errors from its taps", async () => {
    const strict = definePlugin({
      name: "strict-input",
      setup(ctx) {
        ctx.hooks.beforeWorkflow.tapPromise(async (info) => {
          if (info.input === undefined) throw new Error("input required");
        });
      },
    });
    const fm = engine({ plugins: [strict()] });
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => 1 }] });
    const error = await errorOf(() => fm.start("wf"));
    expect(error.code).toBe("FM_ERR_HOOK");
    expect(error.details).toEqual({ plugin: "strict-input", hook: "beforeWorkflow" });
    expect(error.message).toContain('plugin "strict-input" failed in hook "beforeWorkflow": input required');
  });

  it("lets plugins observe typed events", async () => {
    const seen: string[] = [];
    const observer = definePlugin({
      name: "observer",
      setup(ctx) {
        ctx.events.on("task:succeeded", (e) => seen.push(`${e.workflow}/${e.task}`));
      },
    });
    const fm = engine({ plugins: [observer()] });
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => 1 }] });
    await (await fm.start("wf")).result();
    expect(seen).toEqual(["wf/t"]);
  });
});

describe("extendHooks", () => {
  it("lets a plugin add a hook surface that other plugins tap, with errors naming the tapping plugin", async () => {
    const authenticate = new AsyncSeriesHook<[{ token: string }]>(["request"]);
    const surface = definePlugin({
      name: "http-surface",
      enforce: "pre",
      setup: (ctx) => ctx.extendHooks({ authenticate } as unknown as Partial<HookRegistry>),
    });
    const checked: string[] = [];
    const auth = definePlugin({
      name: "api-keys",
      setup(ctx) {
        const hooks = ctx.hooks as unknown as Record<string, ScopedHook<typeof authenticate>>;
        hooks.authenticate!.tapPromise(async (request: { token: string }) => {
          checked.push(request.token);
          if (request.token !== "secret") throw new Error("bad key");
        });
      },
    });
    const fm = engine({ plugins: [auth(), surface()] });
    await fm.ready();
    await authenticate.promise({ token: "secret" });
    const error = await errorOf(() => authenticate.promise({ token: "guess" }));
    expect(checked).toEqual(["secret", "guess"]);
    expect(error.code).toBe("FM_ERR_HOOK");
    expect(error.details).toEqual({ plugin: "api-keys", hook: "authenticate" });
    expect((fm.hooks as unknown as Record<string, unknown>).authenticate).toBe(authenticate);
  });

  it("fails with FM_ERR_PLUGIN when a plugin adds a hook that already exists", async () => {
    const clash = definePlugin({
      name: "clash",
      setup: (ctx) =>
        ctx.extendHooks({
          beforeTask: new AsyncSeriesBailHook<[TaskContext], BeforeTaskDecision | undefined>(["ctx"]),
        }),
    });
    const fm = engine({ plugins: [clash()] });
    const error = await errorOf(() => fm.ready());
    expect(error.code).toBe("FM_ERR_PLUGIN");
    expect(error.message).toContain('plugin "clash" adds hook "beforeTask"');
  });
});
