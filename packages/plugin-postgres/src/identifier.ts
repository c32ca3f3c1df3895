/** Schema names: validated as plain identifiers, then always quoted in SQL. */
import { FlowMeshError } from "@flowmesh/core";

/** Lower-case letters, digits and `_`, starting with a letter or `_`, at most 48 characters. */
export const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,47}$/;

/** Throws `FM_ERR_INVALID_OPTIONS` unless `schema` is a plain identifier. */
export function assertSchemaName(schema: string, where = "schema"): string {
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new FlowMeshError(
      "FM_ERR_INVALID_OPTIONS",
      `${where}: ${JSON.stringify(schema)} is not a valid schema name (lower-case letters, digits and "_", starting with a letter or "_", at most 48 characters)`,
      { details: { path: "schema", received: schema } },
    );
  }
  return schema;
}

/** A double-quoted identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The LISTEN/NOTIFY channel of a schema. */
export function channelOf(schema: string): string {
  return `flowmesh_${schema}`;
}
