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

const sourceConditions = {
  resolve: { conditions: ["@flowmesh/source"] },
  ssr: { resolve: { conditions: ["@flowmesh/source"] } },
};

/** A test project for one workspace folder; tests resolve `@flowmesh/*` to their TypeScript sources. */
function project(name: string, root: string, options: { decorators?: boolean; typecheck?: boolean } = {}) {
  return {
    ...(options.decorators ? { plugins: [standardDecorators()] } : {}),
    ...sourceConditions,
    test: {
      name,
      root,
      include: ["test/**/*.test.ts"],
      ...(options.typecheck
        ? {
            typecheck: {
              enabled: true,
              include: ["test/**/*.test-d.ts"],
              tsconfig: "../../tsconfig.test.json",
            },
          }
        : {}),
    },
  };
}

export default defineConfig({
  test: {
    // The JSON copy lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ["default", ["json", { outputFile: ".vitest/results.json" }]],
    projects: [
      project("core", "packages/core", { decorators: true, typecheck: true }),
      project("plugin-redis", "packages/plugin-redis"),
      project("plugin-postgres", "packages/plugin-postgres"),
      project("server", "packages/server", { decorators: true }),
      project("cli", "packages/cli"),
      project("plugin-prometheus", "packages/plugin-prometheus"),
      project("plugin-auth", "packages/plugin-auth"),
      project("plugin-resilience", "packages/plugin-resilience", { decorators: true }),
      project("example-enterprise-pipeline", "examples/enterprise-pipeline"),
      project("example-data-pipeline", "examples/data-pipeline"),
      project("example-ml-training", "examples/ml-training", { decorators: true }),
      project("example-invoice-processing", "examples/invoice-processing"),
      project("example-config-composition", "examples/config-composition"),
      project("example-embed-express", "examples/embed-express"),
      project("example-resilient-api-calls", "examples/resilient-api-calls"),
      project("example-secure-server", "examples/secure-server"),
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
