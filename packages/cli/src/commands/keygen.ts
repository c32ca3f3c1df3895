/**
 * `flowmesh keygen`: a new API key for `@flowmesh/plugin-auth`. The key is
 * printed once, for the client; the config keeps only its SHA-256 digest.
 */
import { Command } from "commander";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { addGlobalOptions } from "../global-options.js";
import { importOptional } from "../optional-import.js";

/** What the CLI uses of `@flowmesh/plugin-auth`. */
export interface AuthKeys {
  generateApiKey(): { key: string; digest: string };
}

/** Options of `flowmesh keygen`. */
export interface KeygenOptions {
  user: string;
  role: string[];
  json?: boolean;
}

const AUTH = "@flowmesh/plugin-auth";

export function keygenCommand(ctx: CliContext): Command {
  return addGlobalOptions(new Command("keygen"))
    .description(
      "generate an API key for @flowmesh/plugin-auth: the key for the client, the digest for the config",
    )
    .option("--user <name>", "the user the key authenticates as, in the config snippet", "api-client")
    .option(
      "--role <role...>",
      "roles the key grants, in the config snippet (viewer, runner, editor, admin)",
      ["runner"],
    )
    .option("--json", 'print {"key","digest"} as JSON')
    .action(async (options: KeygenOptions) => {
      const auth = await importOptional<AuthKeys>(AUTH, ["generateApiKey"], ctx.cwd, {
        command: "keygen",
        install: `npm install ${AUTH}`,
      });
      const { key, digest } = auth.generateApiKey();
      if (options.json === true) {
        ctx.stdout.write(`${JSON.stringify({ key, digest })}\n`);
      } else {
        ctx.stdout.write(
          [
            "API key (shown only this once: give it to the client, do not store it in config):",
            `  ${key}`,
            "",
            "Digest (safe to commit): add it to the auth plugin's apiKeys in your config:",
            `  ${digest}`,
            "",
            "  plugins:",
            `    - - "${AUTH}"`,
            "      - apiKeys:",
            `          "${digest}":`,
            `            user: ${JSON.stringify(options.user)}`,
            `            roles: [${options.role.map((role) => JSON.stringify(role)).join(", ")}]`,
            "",
          ].join("\n"),
        );
      }
      ctx.exitCode = EXIT.ok;
    });
}
