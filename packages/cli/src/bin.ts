#!/usr/bin/env node
/** The `flowmesh` executable. */
import { main } from "./program.js";

// `flowmesh run ... | head`: a reader that went away is not an error of ours.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Wait for stdout to flush (a pipe may be slow), then exit even if a task left a timer behind.
process.stdout.write("", () => process.exit(code));
