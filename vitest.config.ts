import ts from "typescript";
import { defineConfig, type Plugin } from "vitest/config";

/**
 * Lowers TC39 (standard) decorators with TypeScript, as `tsc -b` does for the
 * build: Vite's oxc transform only handles legacy decorators and Node 20
 * cannot run `@` syntax. Only files with a line starting with `@name` pay for it.
 */
function standardDecorators(): Plugin {
  return {
    name: "flowmesh:standard-decorators",
    enforce: "pre",
    transform(code, id) {
      if (!/\.[cm]?ts$/.test(id.replace(/\?.*$/, "")) || !/^[ \t]*@[A-Za-z_$]/m.test(code)) return null;
      const out = ts.transpileModule(code, {
        fileName: id,
        compilerOptions: {
          target: ts.ScriptTarget.ES2023,
          module: ts.ModuleKind.ESNext,
          verbatimModuleSyntax: true,
          sourceMap: true,
        },
      });
      return {
        code: out.outputText.replace(/\n\/\/# sourceMappingURL=.*$/, ""),
        map: out.sourceMapText ?? null,
      };
    },
  };
}

export default defineConfig({
  test: {
    // The JSON copy lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ["default", ["json", { outputFile: ".vitest/results.json" }]],
    projects: [
      {
        plugins: [standardDecorators()],
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
      {
        resolve: { conditions: ["@flowmesh/source"] },
        ssr: { resolve: { conditions: ["@flowmesh/source"] } },
        test: {
          name: "example-data-pipeline",
          root: "examples/data-pipeline",
          include: ["test/**/*.test.ts"],
        },
      },
      {
        plugins: [standardDecorators()],
        resolve: { conditions: ["@flowmesh/source"] },
        ssr: { resolve: { conditions: ["@flowmesh/source"] } },
        test: {
          name: "example-ml-training",
          root: "examples/ml-training",
          include: ["test/**/*.test.ts"],
        },
      },
      {
        resolve: { conditions: ["@flowmesh/source"] },
        ssr: { resolve: { conditions: ["@flowmesh/source"] } },
        test: {
          name: "example-invoice-processing",
          root: "examples/invoice-processing",
          include: ["test/**/*.test.ts"],
        },
      },
      {
        resolve: { conditions: ["@flowmesh/source"] },
        ssr: { resolve: { conditions: ["@flowmesh/source"] } },
        test: {
          name: "example-config-composition",
          root: "examples/config-composition",
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
