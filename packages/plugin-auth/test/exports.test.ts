import { describe, expect, it } from "vitest";
import * as publicApi from "../src/index.js";

describe("@flowmesh/plugin-auth exports", () => {
  it("exports exactly the documented surface", () => {
    expect(Object.keys(publicApi).sort()).toEqual([
      "BUILT_IN_ROLES",
      "PERMISSIONS",
      "TOKEN_BUCKET_SCRIPT",
      "auth",
      "authOptionsSchema",
      "createTokenSigner",
      "default",
      "generateApiKey",
      "hashApiKey",
    ]);
    expect(publicApi.default).toBe(publicApi.auth);
  });

  it("makes plugin instances named auth that can sign tokens", () => {
    const plugin = publicApi.auth();
    expect(plugin.name).toBe("auth");
    expect(typeof plugin.apply).toBe("function");
    expect(typeof plugin.generateToken).toBe("function");
  });
});
