/**
 * CPU time the database server spent, read from /proc: the sum over every
 * process of that name (Postgres forks one per connection, so the server's
 * work is spread over many). Printed per job beside each system's
 * throughput: on a CPU-bound machine it is what a design costs the server,
 * whatever the client does. Only on Linux with the server on this machine;
 * elsewhere the figure is left out.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_SEC = 100;

/** Total CPU of the processes named `name` (their `comm`), in ms; undefined when /proc cannot tell. */
export function serverCpuMs(name: string): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  let ticks = 0;
  let seen = false;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    const open = stat.indexOf("(");
    const close = stat.lastIndexOf(")");
    if (stat.slice(open + 1, close) !== name) continue;
    // Fields after the name: state is field 3, utime 14 and stime 15 (1-based, as in proc(5)).
    const fields = stat.slice(close + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
    seen = true;
  }
  return seen ? (ticks * 1000) / TICKS_PER_SEC : undefined;
}
