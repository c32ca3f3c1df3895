/**
 * A FlowMesh API server with every request authenticated, authorized and
 * rate-limited: API keys stored as digests, HS256 JWTs, roles, two tenants
 * in two namespaces, and a per-principal rate limit.
 */
import { randomBytes } from "node:crypto";
import { createFlowMesh, createLogger, type FlowMesh, type Logger } from "@flowmesh/core";
import { auth, generateApiKey, hashApiKey, type AuthPlugin } from "@flowmesh/plugin-auth";
import { startServer, type RunningServer } from "@flowmesh/server";
import { acmeInvoices, globexReports, tenantHandlers } from "./workflows.js";

/** The plain keys handed to clients; the server itself keeps only their digests. */
export interface ClientKeys {
  /** Platform admin: every permission in every namespace. */
  readonly admin: string;
  /** Acme's CI: starts, cancels and retries Acme's runs. */
  readonly acmeRunner: string;
  /** Globex's dashboard: reads Globex's workflows and runs. */
  readonly globexViewer: string;
}

export interface SecureServerOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** HS256 secret, at least 32 bytes. @default a random one */
  jwtSecret?: string;
  /** Keys to accept. @default freshly generated */
  keys?: ClientKeys;
  /** Requests per minute per principal. @default 100 (the brief's setting) */
  requestsPerMinute?: number;
  logger?: Logger;
}

export interface SecureServer {
  readonly engine: FlowMesh;
  readonly server: RunningServer;
  readonly security: AuthPlugin;
  readonly keys: ClientKeys;
  close(): Promise<void>;
}

/** Starts the engine and the API on 127.0.0.1. */
export async function startSecureServer(options: SecureServerOptions = {}): Promise<SecureServer> {
  const keys = options.keys ?? {
    admin: generateApiKey().key,
    acmeRunner: generateApiKey().key,
    globexViewer: generateApiKey().key,
  };
  // Only digests go into the configuration: the plain keys stay with the clients.
  const digest = hashApiKey;
  const security = auth({
    apiKeys: {
      [digest(keys.admin)]: { user: "platform-admin", roles: ["admin"], namespaces: "*", id: "admin" },
      [digest(keys.acmeRunner)]: { user: "acme-ci", roles: ["runner"], namespaces: ["acme"], id: "acme-ci" },
      [digest(keys.globexViewer)]: {
        user: "globex-dashboard",
        roles: ["viewer"],
        namespaces: ["globex"],
        id: "globex-dash",
      },
    },
    jwt: {
      secret: options.jwtSecret ?? randomSecret(),
      issuer: "secure-server-example",
      audience: "flowmesh",
    },
    roles: { auditor: ["runs:read", "metrics:read", "health:read"] },
    rateLimit: { requestsPerMinute: options.requestsPerMinute ?? 100, roles: { admin: 1000 } },
  });
  const engine = createFlowMesh({
    plugins: [tenantHandlers, security],
    logger: options.logger ?? createLogger({ level: "warn" }),
  });
  await engine.register(acmeInvoices);
  await engine.register(globexReports);
  const server = await startServer(engine, { port: options.port ?? 0, host: "127.0.0.1" });
  return {
    engine,
    server,
    security,
    keys,
    async close() {
      await server.close();
      await engine.close();
    },
  };
}

function randomSecret(): string {
  return randomBytes(48).toString("base64url");
}
