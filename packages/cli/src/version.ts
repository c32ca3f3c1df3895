/** The CLI's own version, from its package.json. */
import { readFileSync } from "node:fs";

/** `@flowmesh/cli`'s version. */
export const CLI_VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
