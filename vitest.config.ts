import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The JSON copy lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ["default", ["json", { outputFile: ".vitest/results.json" }]],
    projects: [
      {
        resolve: { conditions: ["@flowmesh/source"] },
        ssr: { resolve: { conditions: ["@flowmesh/source"] } },
        test: {
          name: "core",
          root: "packages/core",
          include: ["test/**/*.test.ts"],
          typecheck: {
            enabled: true,
            include: ["test/**/*.test-d.ts"],
            tsconfig: "../../tsconfig.test.json",
          },
        },
      },
      {
        resolve: { conditions: ["@flowmesh/source"] },
        ssr: { resolve: { conditions: ["@flowmesh/source"] } },
        test: {
          name: "example-enterprise-pipeline",
          root: "examples/enterprise-pipeline",
          include: ["test/**/*.test.ts"],
        },
      },
    ],
    coverage: {
      provider: "v8",
      include: ["packages/*/src/**/*.ts"],
      exclude: ["**/*.d.ts", "**/types.ts"],
      reporter: ["text-summary", "json-summary", "text"],
      thresholds: {
        "packages/core/src/**": { lines: 90 },
      },
    },
  },
});
