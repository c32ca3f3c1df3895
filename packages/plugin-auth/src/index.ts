/**
 * @flowmesh/plugin-auth — API keys, JWT, role-based access with namespaces
 * and rate limits for the FlowMesh HTTP API (`@flowmesh/server`).
 */
export { auth } from "./plugin.js";
export type { AuthPlugin } from "./plugin.js";
export { auth as default } from "./plugin.js";
export { authOptionsSchema } from "./options.js";
export type { AuthOptions, JwtOptionsInput, ResolvedAuthOptions } from "./options.js";
export { generateApiKey, hashApiKey } from "./api-keys.js";
export type { GeneratedApiKey } from "./api-keys.js";
export { createTokenSigner } from "./jwt/signer.js";
export type { GenerateTokenOptions, TokenSigner } from "./jwt/signer.js";
export { BUILT_IN_ROLES, PERMISSIONS } from "./permissions.js";
export type { Permission } from "./permissions.js";
export { TOKEN_BUCKET_SCRIPT } from "./rate-limit/redis-limiter.js";
