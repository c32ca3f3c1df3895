#!/usr/bin/env node
/**
 * Writes schema/workflow.schema.json, the JSON Schema of workflow files, from
 * the built package (run `pnpm build` first). The file is committed and
 * shipped; test/dsl/json-schema.test.ts fails when it is out of date.
 *
 *   pnpm --filter @flowmesh/core schema
 */
import { mkdir, writeFile } from "node:fs/promises";
import process from "node:process";
import { fileURLToPath, URL } from "node:url";

const target = fileURLToPath(new URL("../schema/workflow.schema.json", import.meta.url));
const { workflowJsonSchema } = await import("../dist/dsl/json-schema.js");
let text = `${JSON.stringify(workflowJsonSchema(), null, 2)}\n`;
try {
  // Formatted as the repository's prettier would, so `pnpm format:check` stays clean.
  const prettier = await import("prettier");
  const config = (await prettier.resolveConfig(target)) ?? {};
  text = await prettier.format(text, { ...config, filepath: target });
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
}
await mkdir(fileURLToPath(new URL("../schema/", import.meta.url)), { recursive: true });
await writeFile(target, text);
process.stdout.write(`wrote ${target}\n`);
