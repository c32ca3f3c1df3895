/**
 * Stand-ins for the systems the pipeline talks to, so the example runs with
 * nothing installed: an S3 bucket of CSV exports (which asks the first caller
 * to slow down, as S3 does under load) and a warehouse table.
 */

/** One customer row as the CRM exports it. */
export interface CustomerRow {
  id: string;
  email: string;
  name: string;
  country: string;
  lifetimeValue: number;
  updatedAt: string;
}

/** A customer in the warehouse. */
export interface WarehouseCustomer {
  email: string;
  id: string;
  name: string;
  country: string;
  lifetimeValue: number;
  segment: "gold" | "silver" | "bronze";
  updatedAt: string;
}

/** An error S3 answers when it wants fewer requests: worth retrying. */
export class SlowDownError extends Error {
  override readonly name = "SlowDownError";
  readonly code = "SlowDown";
}

/** A bucket of objects in memory; `throttleFirstList` makes the first listing fail with SlowDown. */
export class FakeBucket {
  private lists = 0;

  constructor(
    readonly url: string,
    private readonly objects: ReadonlyMap<string, string>,
    private readonly options: { throttleFirstList?: boolean } = {},
  ) {}

  async list(prefix: string, signal?: AbortSignal): Promise<string[]> {
    signal?.throwIfAborted();
    this.lists++;
    if (this.options.throttleFirstList === true && this.lists === 1) {
      throw new SlowDownError("S3 SlowDown: please reduce your request rate");
    }
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }

  async get(key: string, signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    const body = this.objects.get(key);
    if (body === undefined) throw new Error(`NoSuchKey: ${key}`);
    return body;
  }
}

/** A warehouse table keyed by email. */
export class FakeWarehouse {
  readonly table = "analytics.customers";
  private readonly rows = new Map<string, WarehouseCustomer>();

  constructor(existing: readonly WarehouseCustomer[] = []) {
    for (const row of existing) this.rows.set(row.email, row);
  }

  /** Inserts new customers and updates known ones; returns how many of each. */
  async upsert(
    customers: readonly WarehouseCustomer[],
    signal?: AbortSignal,
  ): Promise<{ inserted: number; updated: number }> {
    signal?.throwIfAborted();
    let inserted = 0;
    let updated = 0;
    for (const customer of customers) {
      if (this.rows.has(customer.email)) updated++;
      else inserted++;
      this.rows.set(customer.email, customer);
    }
    return { inserted, updated };
  }

  get size(): number {
    return this.rows.size;
  }
}

/** The night's CRM export: three files, one duplicate customer, one bad email. */
export const EXPORT_OBJECTS: ReadonlyMap<string, string> = new Map([
  [
    "customers/2025-01-31/part-0001.csv",
    [
      "id,email,name,country,lifetime_value,updated_at",
      "C-101,ada@example.com,Ada Lovelace,GB,1520.50,2025-01-30T09:00:00Z",
      "C-102,Grace@Example.com ,Grace Hopper,US,980.00,2025-01-29T12:00:00Z",
      "C-103,linus@example.org,Linus Torvalds,FI,150.25,2025-01-31T08:30:00Z",
    ].join("\n"),
  ],
  [
    "customers/2025-01-31/part-0002.csv",
    [
      "id,email,name,country,lifetime_value,updated_at",
      "C-104,margaret@example.com,Margaret Hamilton,US,2210.00,2025-01-31T10:15:00Z",
      "C-102,grace@example.com,Grace B. Hopper,US,1010.00,2025-01-31T11:00:00Z",
      "C-105,not-an-email,Nobody,US,10.00,2025-01-31T11:05:00Z",
    ].join("\n"),
  ],
  [
    "customers/2025-01-31/part-0003.csv",
    [
      "id,email,name,country,lifetime_value,updated_at",
      "C-106,barbara@example.net,Barbara Liskov,US,430.00,2025-01-31T07:45:00Z",
      "C-107,tim@example.org,Tim Berners-Lee,GB,75.00,2025-01-28T16:20:00Z",
    ].join("\n"),
  ],
  ["customers/2025-01-30/part-0001.csv", "id,email,name,country,lifetime_value,updated_at"],
]);

/** Customers the warehouse already holds: two of tonight's are updates. */
export const EXISTING_CUSTOMERS: readonly WarehouseCustomer[] = [
  {
    email: "ada@example.com",
    id: "C-101",
    name: "Ada Lovelace",
    country: "GB",
    lifetimeValue: 1400,
    segment: "gold",
    updatedAt: "2025-01-20T09:00:00Z",
  },
  {
    email: "tim@example.org",
    id: "C-107",
    name: "Tim Berners-Lee",
    country: "GB",
    lifetimeValue: 60,
    segment: "bronze",
    updatedAt: "2025-01-10T10:00:00Z",
  },
];
