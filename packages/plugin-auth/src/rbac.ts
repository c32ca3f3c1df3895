/**
 * Role-based access with namespaces, deny by default. A principal may do an
 * action when one of its roles grants the permission, and only inside its
 * namespaces: another namespace's workflow or run is hidden (404), so a
 * tenant cannot even learn that it exists.
 */
import type { AuthorizeDecision, HttpAction, HttpResource, Principal } from "@flowmesh/server";
import { BUILT_IN_ROLES, type Permission } from "./permissions.js";

/** Answers "may this principal do this action on this resource?". */
export interface AccessPolicy {
  /** The permissions a set of roles grants together; unknown roles grant nothing. */
  permissionsOf(roles: readonly string[]): ReadonlySet<Permission>;
  /** Whether a role name is known (built in or custom). */
  hasRole(role: string): boolean;
  decide(principal: Principal, action: HttpAction, resource: HttpResource): AuthorizeDecision;
}

/** Builds the policy from the built-in roles plus custom ones (`{ auditor: ["runs:read"] }`). */
export function createAccessPolicy(
  customRoles: Readonly<Record<string, readonly Permission[]>>,
): AccessPolicy {
  const roles = new Map<string, ReadonlySet<Permission>>();
  for (const [name, permissions] of Object.entries(BUILT_IN_ROLES)) roles.set(name, new Set(permissions));
  for (const [name, permissions] of Object.entries(customRoles)) roles.set(name, new Set(permissions));
  const cache = new Map<string, ReadonlySet<Permission>>();

  const permissionsOf = (names: readonly string[]): ReadonlySet<Permission> => {
    const key = names.join("\u0000");
    let granted = cache.get(key);
    if (granted === undefined) {
      const set = new Set<Permission>();
      for (const name of names) for (const permission of roles.get(name) ?? []) set.add(permission);
      granted = set;
      // Role lists come from tokens too: bound the cache so crafted tokens cannot grow it forever.
      if (cache.size >= 1000) cache.clear();
      cache.set(key, granted);
    }
    return granted;
  };

  return {
    permissionsOf,
    hasRole: (role) => roles.has(role),
    decide(principal, action, resource) {
      const scoped = resource.kind === "workflow" || resource.kind === "run";
      if (scoped && resource.namespace !== undefined && !inNamespaces(principal, resource.namespace)) {
        return { allow: false, hide: true };
      }
      if (!permissionsOf(principal.roles).has(action)) return { allow: false };
      if (scoped && resource.namespace === undefined)
        return { allow: true, namespaces: principal.namespaces };
      return { allow: true };
    },
  };
}

/** True when the principal may act in `namespace`. */
export function inNamespaces(principal: Pick<Principal, "namespaces">, namespace: string): boolean {
  return principal.namespaces === "*" || principal.namespaces.includes(namespace);
}
