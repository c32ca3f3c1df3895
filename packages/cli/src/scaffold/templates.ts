/**
 * The files `flowmesh init` writes: a config, a YAML workflow and its task
 * module. The handlers are plain `.mjs` files referenced by path, so the
 * project runs without installing anything next to it (no imports to resolve).
 */

/** A file to write, relative to the target folder. */
export interface ScaffoldFile {
  path: string;
  content: string;
}

const CONFIG = `# FlowMesh config: found by every flowmesh command run in this folder (or below it).
# Docs: the README of @flowmesh/core and @flowmesh/cli.

# Where runs live. Without a backend, FlowMesh keeps them in memory (nothing to install).
# To share runs between processes (flowmesh serve + flowmesh worker), use Redis or Postgres:
# backend: ["@flowmesh/plugin-redis", { url: "\${REDIS_URL:-redis://127.0.0.1:6379}" }]
# backend: ["@flowmesh/plugin-postgres", { connectionString: "\${DATABASE_URL}" }]

# Workflow files that flowmesh serve and flowmesh worker register (paths and globs).
# Tasks name their handlers by module path: handler: ../tasks/hello.mjs#greet
workflows:
  - workflows/*.yaml

# Task attempts one process runs at once.
concurrency: 10

# Logs go to stderr as JSON lines; FLOWMESH_LOG_LEVEL or --log-level override this.
# log:
#   level: info
`;

const WORKFLOW = `# A first workflow: greet someone, then shout the greeting.
#   npx flowmesh run workflows/hello.yaml
#   npx flowmesh run workflows/hello.yaml --input '{"name": "Ada"}'
name: hello
description: Greets someone, then shouts it.
tasks:
  - name: greet
    # A module path (relative to this file) and the export to call.
    handler: ../tasks/hello.mjs#greet
    timeout: 10 # seconds
    retry_count: 2
  - name: shout
    handler: ../tasks/hello.mjs#shout
    depends_on: [greet]
`;

const TASKS = `/**
 * Task handlers of workflows/hello.yaml. A handler gets a context:
 *   ctx.input    the run's input (--input)
 *   ctx.deps     outputs of the tasks it depends on, by task name
 *   ctx.signal   aborts on timeout or cancellation
 *   ctx.attempt  1 for the first attempt
 *   ctx.logger   a logger carrying the run id and task name
 * What it returns is the task's output; what it throws fails the attempt (and retries it).
 */

export async function greet(ctx) {
  const name = ctx.input?.name ?? "world";
  return { message: \`Hello, \${name}!\` };
}

export async function shout(ctx) {
  return ctx.deps.greet.message.toUpperCase();
}
`;

/** The files of a new project. */
export function scaffoldFiles(): ScaffoldFile[] {
  return [
    { path: "flowmesh.config.yaml", content: CONFIG },
    { path: "workflows/hello.yaml", content: WORKFLOW },
    { path: "tasks/hello.mjs", content: TASKS },
  ];
}
