import { handlers, parseWorkflow, task, workflow, workflowBuilder, workflowOf } from "@flowmesh/core";
import type { FlowMesh, WorkflowDefinitionInput } from "@flowmesh/core";
import { describe, expect, it } from "vitest";
import { resilience } from "../src/index.js";
import { useEngines } from "./support.js";

// Each style attaches `policies: ["payments-api"]`; the policy's isFailure spy sees the
// handler's error only if the policy really wraps the task.

const engine = useEngines();

function withSpy(): { fm: FlowMesh; seen: unknown[] } {
  const seen: unknown[] = [];
  const fm = engine({
    plugins: [
      resilience({
        policies: {
          "payments-api": {
            circuitBreaker: {
              isFailure: (error) => {
                seen.push(error);
                return false;
              },
            },
          },
        },
      }),
      handlers({
        charge: () => {
          throw new Error("declined");
        },
      }),
    ],
  });
  return { fm, seen };
}

async function runOnce(fm: FlowMesh, definition: WorkflowDefinitionInput): Promise<void> {
  await fm.register(definition);
  const run = await (await fm.start(definition.name)).wait();
  expect(run.status).toBe("failed");
}

function declined(): never {
  throw new Error("declined");
}

describe("policies attached in every authoring style", () => {
  it("YAML: policies: [payments-api] with a handler from handlers()", async () => {
    const { fm, seen } = withSpy();
    const definition = parseWorkflow(`
name: yaml-checkout
tasks:
  - name: charge
    policies: [payments-api]
`);
    expect(definition.tasks[0]!.policies).toEqual(["payments-api"]);
    await runOnce(fm, definition);
    expect(seen).toHaveLength(1);
    expect((seen[0] as Error).message).toBe("declined");
  });

  it("task() and workflow() functions", async () => {
    const { fm, seen } = withSpy();
    const charge = task({ policies: ["payments-api"] }, async function charge() {
      return declined();
    });
    await runOnce(fm, workflow({ name: "fn-checkout" }, [charge]));
    expect(seen).toHaveLength(1);
  });

  it("the typed builder", async () => {
    const { fm, seen } = withSpy();
    const definition = workflowBuilder("builder-checkout")
      .task("charge", { policies: ["payments-api"] }, () => declined())
      .build();
    await runOnce(fm, definition);
    expect(seen).toHaveLength(1);
  });

  it("@task decorators", async () => {
    const { fm, seen } = withSpy();
    @workflow({ name: "decorated-checkout" })
    class Checkout {
      @task({ policies: ["payments-api"] })
      async charge(): Promise<string> {
        return declined();
      }
    }
    await runOnce(fm, workflowOf(new Checkout()));
    expect(seen).toHaveLength(1);
  });

  it("a task without policies is not wrapped", async () => {
    const { fm, seen } = withSpy();
    await runOnce(fm, { name: "plain", tasks: [{ name: "charge", handler: () => declined() }] });
    expect(seen).toHaveLength(0);
  });
});
