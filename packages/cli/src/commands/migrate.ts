/**
 * `flowmesh migrate`: creates or upgrades the Postgres backend's tables with
 * `@flowmesh/plugin-postgres`'s embedded migrations; `--print` shows the SQL
 * instead of running it. The URL and schema default to the config's
 * Postgres backend entry; the URL then to `DATABASE_URL`.
 */
import { Command } from "commander";
import type { CliContext } from "../context.js";
import { locateConfigFile, readBackendEntry, type BackendEntry } from "../engine/backend-entry.js";
import { EXIT, usageError } from "../exit-codes.js";
import { addGlobalOptions, globalOptions, type GlobalOptions } from "../global-options.js";
import { importOptional } from "../optional-import.js";

/** What the CLI uses of `@flowmesh/plugin-postgres`. */
export interface PostgresMigrations {
  renderMigrationSql(options?: { schema?: string }): string;
  runMigrations(options: { connectionString?: string; schema?: string }): Promise<{ applied: string[] }>;
}

/** Options of `flowmesh migrate`. */
export interface MigrateOptions {
  print?: boolean;
  schema?: string;
  url?: string;
}

const POSTGRES = "@flowmesh/plugin-postgres";

export function migrateCommand(ctx: CliContext): Command {
  return addGlobalOptions(new Command("migrate"))
    .description("create or upgrade the Postgres backend's tables (@flowmesh/plugin-postgres)")
    .option("--print", "print the SQL instead of running it")
    .option("--schema <schema>", "Postgres schema (default: the config's backend schema, else the plugin's)")
    .option("--url <url>", "postgres:// connection string (default: the config's backend, else DATABASE_URL)")
    .action(async (options: MigrateOptions, command: Command) => {
      const postgres = await importOptional<PostgresMigrations>(
        POSTGRES,
        ["renderMigrationSql", "runMigrations"],
        ctx.cwd,
        { command: "migrate", install: `npm install ${POSTGRES} pg` },
      );
      const defaults = await configDefaults(ctx, globalOptions(command));
      const schema = options.schema ?? defaults.schema;
      if (options.print === true) {
        const sql = postgres.renderMigrationSql(schema === undefined ? {} : { schema });
        ctx.stdout.write(sql.endsWith("\n") ? sql : `${sql}\n`);
        ctx.exitCode = EXIT.ok;
        return;
      }
      const connectionString = options.url ?? defaults.connectionString ?? nonEmpty(ctx.env.DATABASE_URL);
      if (connectionString === undefined) {
        throw usageError(
          "flowmesh migrate: no database to migrate: pass --url postgres://..., set DATABASE_URL, or configure a @flowmesh/plugin-postgres backend with a connectionString (or use --print for the SQL)",
        );
      }
      const { applied } = await postgres.runMigrations({
        connectionString,
        ...(schema === undefined ? {} : { schema }),
      });
      const where = schema === undefined ? "" : ` (schema "${schema}")`;
      ctx.stdout.write(
        applied.length === 0
          ? `database is up to date${where}\n`
          : `applied ${applied.length} migration${applied.length === 1 ? "" : "s"}${where}: ${applied.join(", ")}\n`,
      );
      ctx.exitCode = EXIT.ok;
    });
}

/** URL and schema from the config's Postgres backend entry, when there is a config and such an entry. */
async function configDefaults(
  ctx: CliContext,
  global: GlobalOptions,
): Promise<{ connectionString?: string; schema?: string }> {
  const configFile = locateConfigFile(ctx.cwd, global.config);
  if (configFile === undefined) return {};
  const entry = await readBackendEntry(configFile, ctx.env);
  if (entry === undefined || !isPostgres(entry)) return {};
  const url = entry.options.connectionString ?? entry.options.url;
  const schema = entry.options.schema;
  return {
    ...(typeof url === "string" && url !== "" ? { connectionString: url } : {}),
    ...(typeof schema === "string" && schema !== "" ? { schema } : {}),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function isPostgres(entry: BackendEntry): boolean {
  const specifier = entry.specifier.split("#")[0]!;
  return specifier === POSTGRES || /plugin-postgres(\.[cm]?js)?$/.test(specifier);
}
