/**
 * The pipeline's task handlers, in TypeScript. The YAML names the tasks; these
 * functions are registered under the same names with `handlers({...})`, and
 * each reads its upstream task's output from `ctx.deps` by that name.
 */
import type { HandlerMap, TaskContext } from "@flowmesh/core";
import type { CustomerRow, FakeBucket, FakeWarehouse, WarehouseCustomer } from "./sources.js";

/** The run's input: which export to load. */
export interface PipelineInput {
  prefix: string;
}

export interface Extracted {
  bucket: string;
  objects: string[];
  rows: CustomerRow[];
}

export interface Transformed {
  customers: WarehouseCustomer[];
  /** Rows that named a customer seen in another row, merged into the newest. */
  merged: number;
  rejected: { id: string; reason: string }[];
}

export interface Loaded {
  table: string;
  inserted: number;
  updated: number;
  segments: Record<WarehouseCustomer["segment"], number>;
  tableSize: number;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** The three handlers, bound to the bucket and warehouse they use. */
export function pipelineHandlers(sources: { bucket: FakeBucket; warehouse: FakeWarehouse }): HandlerMap {
  const { bucket, warehouse } = sources;
  return {
    /** Lists the night's export files and reads every row. */
    async extract_s3(ctx: TaskContext<PipelineInput>): Promise<Extracted> {
      const objects = await bucket.list(ctx.input.prefix, ctx.signal);
      const rows: CustomerRow[] = [];
      for (const key of objects) rows.push(...parseCsv(await bucket.get(key, ctx.signal)));
      ctx.logger.info({ objects: objects.length, rows: rows.length }, "extracted");
      return { bucket: bucket.url, objects, rows };
    },

    /** Cleans emails, rejects invalid rows, keeps the newest row per customer, segments by lifetime value. */
    transform_spark(ctx: TaskContext<PipelineInput, { extract_s3: Extracted }>): Transformed {
      const newest = new Map<string, CustomerRow>();
      const rejected: Transformed["rejected"] = [];
      let merged = 0;
      for (const row of ctx.deps.extract_s3.rows) {
        const email = row.email.trim().toLowerCase();
        if (!EMAIL.test(email)) {
          rejected.push({ id: row.id, reason: `invalid email ${JSON.stringify(row.email)}` });
          continue;
        }
        const seen = newest.get(email);
        if (seen !== undefined) merged++;
        if (seen === undefined || row.updatedAt > seen.updatedAt) newest.set(email, { ...row, email });
      }
      const customers = [...newest.values()]
        .map((row): WarehouseCustomer => ({ ...row, segment: segmentOf(row.lifetimeValue) }))
        .sort((a, b) => a.id.localeCompare(b.id));
      return { customers, merged, rejected };
    },

    /** Upserts the customers into the warehouse table. */
    async load_warehouse(ctx: TaskContext<PipelineInput, { transform_spark: Transformed }>): Promise<Loaded> {
      const { customers } = ctx.deps.transform_spark;
      const { inserted, updated } = await warehouse.upsert(customers, ctx.signal);
      const segments = { gold: 0, silver: 0, bronze: 0 };
      for (const customer of customers) segments[customer.segment]++;
      return { table: warehouse.table, inserted, updated, segments, tableSize: warehouse.size };
    },
  };
}

function segmentOf(lifetimeValue: number): WarehouseCustomer["segment"] {
  if (lifetimeValue >= 1000) return "gold";
  if (lifetimeValue >= 200) return "silver";
  return "bronze";
}

/** The CRM's CSV: a header line, then comma-separated values without quoting. */
function parseCsv(text: string): CustomerRow[] {
  const [header, ...lines] = text.split("\n").filter((line) => line.trim() !== "");
  if (header === undefined) return [];
  const columns = header.split(",");
  return lines.map((line) => {
    const values = line.split(",");
    const cell = (column: string) => values[columns.indexOf(column)] ?? "";
    return {
      id: cell("id"),
      email: cell("email"),
      name: cell("name"),
      country: cell("country"),
      lifetimeValue: Number(cell("lifetime_value")),
      updatedAt: cell("updated_at"),
    };
  });
}
