/**
 * The permissions the HTTP API checks and the built-in roles that bundle
 * them. A permission is exactly one of the server's {@link HttpAction}s.
 */
import type { HttpAction } from "@flowmesh/server";

/** Every permission, one per server action. */
export const PERMISSIONS = [
  "workflows:read",
  "workflows:write",
  "runs:read",
  "runs:start",
  "runs:cancel",
  "runs:retry",
  "metrics:read",
  "docs:read",
  "health:read",
] as const satisfies readonly HttpAction[];

/** A permission a role can grant. */
export type Permission = (typeof PERMISSIONS)[number];

// Compile-time guard: a new server action that is not listed above fails the build here.
type MissingPermission = Exclude<HttpAction, Permission>;
const _everyActionListed: [MissingPermission] extends [never] ? true : MissingPermission = true;
void _everyActionListed;

const VIEWER: readonly Permission[] = ["workflows:read", "runs:read"];
const RUNNER: readonly Permission[] = [...VIEWER, "runs:start", "runs:cancel", "runs:retry"];
const EDITOR: readonly Permission[] = [...RUNNER, "workflows:write"];

/**
 * The built-in roles: `viewer` reads workflows and runs; `runner` also starts,
 * cancels and retries runs; `editor` also registers and changes workflow
 * definitions; `admin` may do everything (metrics, docs and health included).
 */
export const BUILT_IN_ROLES: Readonly<
  Record<"viewer" | "runner" | "editor" | "admin", readonly Permission[]>
> = {
  viewer: VIEWER,
  runner: RUNNER,
  editor: EDITOR,
  admin: PERMISSIONS,
};

/** True when `name` is one of {@link BUILT_IN_ROLES}. */
export function isBuiltInRole(name: string): name is keyof typeof BUILT_IN_ROLES {
  return Object.hasOwn(BUILT_IN_ROLES, name);
}
