import type { Principal } from "@flowmesh/server";
import { describe, expect, it } from "vitest";
import { BUILT_IN_ROLES, PERMISSIONS } from "../src/permissions.js";
import { createAccessPolicy } from "../src/rbac.js";

const principal = (roles: string[], namespaces: Principal["namespaces"] = ["acme"]): Principal => ({
  id: "u",
  roles,
  namespaces,
  method: "api-key",
});

describe("access policy", () => {
  const policy = createAccessPolicy({ auditor: ["runs:read", "metrics:read"] });

  it("grants the built-in roles' permissions, cumulatively", () => {
    expect([...policy.permissionsOf(["viewer"])].sort()).toEqual(["runs:read", "workflows:read"]);
    expect([...policy.permissionsOf(["runner"])].sort()).toEqual([
      "runs:cancel",
      "runs:read",
      "runs:retry",
      "runs:start",
      "workflows:read",
    ]);
    expect(policy.permissionsOf(["editor"]).has("workflows:write")).toBe(true);
    expect(policy.permissionsOf(["editor"]).has("metrics:read")).toBe(false);
    expect([...policy.permissionsOf(["admin"])].sort()).toEqual([...PERMISSIONS].sort());
    expect(BUILT_IN_ROLES.admin).toEqual(PERMISSIONS);
  });

  it("denies by default: no roles, unknown roles", () => {
    for (const roles of [[], ["root"], ["Admin"]]) {
      expect(policy.decide(principal(roles), "runs:read", { kind: "run", namespace: "acme" })).toEqual({
        allow: false,
      });
    }
  });

  it("unions custom roles with built-in ones", () => {
    const p = principal(["viewer", "auditor"]);
    expect(policy.decide(p, "metrics:read", { kind: "system" })).toEqual({ allow: true });
    expect(policy.decide(p, "runs:start", { kind: "workflow", namespace: "acme" })).toEqual({ allow: false });
  });

  it("hides another namespace's workflow or run, whatever the role", () => {
    for (const roles of [["viewer"], ["admin"], []]) {
      expect(
        policy.decide(principal(roles), "runs:read", { kind: "run", namespace: "other", id: "r1" }),
      ).toEqual({
        allow: false,
        hide: true,
      });
      expect(policy.decide(principal(roles), "runs:start", { kind: "workflow", namespace: "other" })).toEqual(
        {
          allow: false,
          hide: true,
        },
      );
    }
    expect(
      policy.decide(principal(["admin"], "*"), "runs:read", { kind: "run", namespace: "other" }),
    ).toEqual({
      allow: true,
    });
  });

  it("narrows lists to the principal's namespaces", () => {
    expect(policy.decide(principal(["viewer"], ["a", "b"]), "runs:read", { kind: "run" })).toEqual({
      allow: true,
      namespaces: ["a", "b"],
    });
    expect(policy.decide(principal(["viewer"], "*"), "workflows:read", { kind: "workflow" })).toEqual({
      allow: true,
      namespaces: "*",
    });
    expect(policy.decide(principal(["auditor"]), "workflows:read", { kind: "workflow" })).toEqual({
      allow: false,
    });
  });
});
