/** `--input`: JSON text, or `@file` (JSON, or YAML for `.yaml`/`.yml`), or `@-` for standard input. */
import { readFile } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { usageError } from "../exit-codes.js";

/** Reads the run's input from the flag's value; `undefined` when the flag is absent. */
export async function readRunInput(value: string | undefined, cwd: string): Promise<unknown> {
  if (value === undefined) return undefined;
  if (!value.startsWith("@")) return parseJson(value, "--input");
  const file = value.slice(1);
  if (file === "") throw usageError('--input @FILE: expected a file name after "@"');
  let text: string;
  try {
    text = file === "-" ? await readStdin() : await readFile(resolve(cwd, file), "utf8");
  } catch (error) {
    const reason = (error as { code?: unknown }).code === "ENOENT" ? "no such file" : String(error);
    throw usageError(`--input ${value}: cannot read ${file}: ${reason}`, { file });
  }
  const ext = extname(file).toLowerCase();
  if (ext === ".yaml" || ext === ".yml") {
    try {
      return parseYaml(text) as unknown;
    } catch (error) {
      throw usageError(
        `--input ${value}: not valid YAML: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return parseJson(text, `--input ${value}`);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw usageError(
      `${where}: expected JSON (or @file), received ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)}: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
