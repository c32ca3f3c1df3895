/**
 * The machine's ceilings, printed beside the systems under test: what Redis
 * (`redis-benchmark`) and PostgreSQL (`pgbench`) themselves sustain here.
 * Both tools talk to the same servers the benchmarks use, at the same time of
 * the run, so the ratio of a queue's figure to the ceiling says how close it
 * gets to the hardware.
 */
import { run } from "./exec.js";
import { int, renderTable } from "./table.js";

/** One ceiling measurement: the operation and what the server sustained. */
export interface Ceiling {
  test: string;
  opsPerSec: number;
  note: string;
}

export interface RedisCeilingOptions {
  host: string;
  port: number;
  /** The database `redis-benchmark` writes its keys to (flushed by the caller). */
  db: number;
  requests: number;
  clients: number;
  /** A key for the EVAL test, inside the benchmark's own namespace. */
  evalKey: string;
}

/**
 * `redis-benchmark` for plain commands and one Lua script call, without and
 * with pipelining (`-P 16`). The EVAL row is the relevant bound for
 * script-per-transition designs (one script ≈ one round trip).
 */
export async function redisCeilings(options: RedisCeilingOptions): Promise<Ceiling[]> {
  const base = [
    "-h",
    options.host,
    "-p",
    String(options.port),
    "--dbnum",
    String(options.db),
    "-n",
    String(options.requests),
    "-c",
    String(options.clients),
    "-q",
    "--csv",
  ];
  const script = ["eval", "return redis.call('INCR', KEYS[1])", "1", options.evalKey];
  const results: Ceiling[] = [];
  for (const pipeline of [1, 16]) {
    const p = pipeline > 1 ? ["-P", String(pipeline)] : [];
    const note = `${options.clients} clients${pipeline > 1 ? `, -P ${pipeline}` : ", no pipelining"}`;
    for (const row of parseCsv(
      await run("redis-benchmark", [...base, ...p, "-t", "set,get,incr,lpush,lpop"]),
    )) {
      results.push({ test: row.test, opsPerSec: row.rps, note });
    }
    for (const row of parseCsv(await run("redis-benchmark", [...base, ...p, ...script]))) {
      results.push({ test: "EVAL (INCR)", opsPerSec: row.rps, note });
    }
  }
  return results;
}

export interface PgbenchOptions {
  host: string;
  port: number;
  user: string;
  /** A database created for the run and dropped afterwards. */
  database: string;
  /** An existing database to connect to for CREATE/DROP DATABASE. */
  adminDatabase: string;
  clients: number;
  seconds: number;
}

/**
 * `pgbench` TPS: the built-in TPC-B-like transaction (5 statements, 3 updates)
 * and the select-only one, at the benchmark's concurrency. Its tables live in
 * a database created here and dropped afterwards, whatever happens.
 */
export async function pgbenchCeilings(options: PgbenchOptions): Promise<Ceiling[]> {
  const conn = ["-h", options.host, "-p", String(options.port), "-U", options.user];
  const psql = (sql: string) =>
    run("psql", [...conn, "-d", options.adminDatabase, "-v", "ON_ERROR_STOP=1", "-qc", sql]);
  await psql(`DROP DATABASE IF EXISTS ${options.database}`);
  await psql(`CREATE DATABASE ${options.database}`);
  try {
    await run("pgbench", [...conn, "-i", "-q", "-s", "1", options.database]);
    const bench = async (extra: string[]): Promise<number> => {
      const out = await run("pgbench", [
        ...conn,
        "-n",
        "-c",
        String(options.clients),
        "-j",
        "2",
        "-T",
        String(options.seconds),
        ...extra,
        options.database,
      ]);
      const match =
        /tps = ([\d.]+) \(without initial connection time\)/.exec(out) ?? /tps = ([\d.]+)/.exec(out);
      if (!match) throw new Error(`pgbench: no tps in its output:\n${out}`);
      return Number(match[1]);
    };
    const note = `${options.clients} clients, ${options.seconds} s`;
    return [
      { test: "pgbench TPC-B (5 statements/tx)", opsPerSec: await bench([]), note },
      { test: "pgbench select-only", opsPerSec: await bench(["-S"]), note },
    ];
  } finally {
    await psql(`DROP DATABASE IF EXISTS ${options.database}`);
  }
}

/** The ceilings as a table. */
export function formatCeilings(title: string, ceilings: readonly Ceiling[]): string {
  return renderTable(
    title,
    [{ header: "test" }, { header: "ops/s", numeric: true }, { header: "how" }],
    ceilings.map((c) => [c.test, int(c.opsPerSec), c.note]),
  );
}

function parseCsv(out: string): { test: string; rps: number }[] {
  return out
    .split("\n")
    .slice(1)
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const cells = line.split('","').map((cell) => cell.replaceAll('"', ""));
      return { test: cells[0]!, rps: Number(cells[1]) };
    });
}
