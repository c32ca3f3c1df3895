/**
 * Starts the secure API server. Keys come from the environment
 * (`ADMIN_KEY`, `ACME_KEY`, `GLOBEX_KEY`, `JWT_SECRET`) or are generated and
 * printed once. `--demo` (or `DEMO=1`) asks the server a few questions as each tenant,
 * prints the answers and exits (0 when each answer was the expected one).
 */
import { generateApiKey } from "@flowmesh/plugin-auth";
import { formatDemo, runDemo } from "./demo.js";
import { startSecureServer, type ClientKeys } from "./secure-server.js";

const env = process.env;
const keys: ClientKeys = {
  admin: env.ADMIN_KEY ?? generateApiKey().key,
  acmeRunner: env.ACME_KEY ?? generateApiKey().key,
  globexViewer: env.GLOBEX_KEY ?? generateApiKey().key,
};
const demo = process.argv.includes("--demo") || env.DEMO === "1";
const secure = await startSecureServer({
  port: demo ? 0 : Number(env.PORT ?? 3000),
  keys,
  ...(env.JWT_SECRET === undefined ? {} : { jwtSecret: env.JWT_SECRET }),
});

if (demo) {
  try {
    const lines = await runDemo(secure);
    console.log(formatDemo(lines));
    const expected = [201, 201, 404, 200, 403, 200, 401, 200];
    process.exitCode = lines.every((line, i) => line.status === expected[i]) ? 0 : 1;
  } finally {
    await secure.close();
  }
} else {
  const url = secure.server.url;
  console.log(`FlowMesh secure server on ${url}`);
  console.log("Give each key to its client once; the server keeps only their SHA-256 digests.");
  console.log(`  admin          ${keys.admin}`);
  console.log(`  acme-ci        ${keys.acmeRunner}   (runner, namespace acme)`);
  console.log(`  globex viewer  ${keys.globexViewer}   (viewer, namespace globex)`);
  console.log(
    `\n  curl -H "Authorization: Bearer ${keys.acmeRunner}" -X POST -H "content-type: application/json" \\`,
  );
  console.log(`       -d '{"input":{}}' ${url}/workflows/acme-invoices/runs`);
  const stop = () => void secure.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
