/**
 * CPU time the database server spent, read from /proc: the sum over every
 * process of that name, with what their children used before they exited
 * (Postgres forks a backend per connection; one that closes is reaped by the
 * postmaster, whose children's time then holds its CPU). Printed per job
 * beside each system's throughput: on a CPU-bound machine it is what a design
 * costs the server, whatever the client does. Only on Linux with the server
 * on this machine; elsewhere the figure is left out.
 */
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux). */
const TICKS_PER_SEC = 100;
/** How long the set of server processes must stay the same for a reading to count. */
const SETTLE_MS = 50;
const MAX_SETTLE_TRIES = 40;

interface Reading {
  pids: string;
  ms: number;
}

function read(name: string): Reading | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  const pids: string[] = [];
  let ticks = 0;
  for (const pid of entries) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    const close = stat.lastIndexOf(")");
    if (stat.slice(stat.indexOf("(") + 1, close) !== name) continue;
    // Fields after the name: state is field 3, then utime 14, stime 15, and the reaped children's
    // cutime 16, cstime 17 (1-based, as in proc(5)).
    const fields = stat.slice(close + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    pids.push(pid);
  }
  return pids.length === 0 ? undefined : { pids: pids.join(","), ms: (ticks * 1000) / TICKS_PER_SEC };
}

/**
 * Total CPU of the processes named `name` (their `comm`) in ms, once no such
 * process has started or exited for {@link SETTLE_MS}: a backend exiting
 * while it is read would be counted neither live nor in its parent's
 * children's time (connections a system just closed take a moment to go).
 * Undefined when /proc cannot tell.
 */
export async function serverCpuMs(name: string): Promise<number | undefined> {
  let last = read(name);
  for (let tries = 0; last !== undefined && tries < MAX_SETTLE_TRIES; tries++) {
    await sleep(SETTLE_MS);
    const next = read(name);
    if (next === undefined || next.pids === last.pids) return next?.ms;
    last = next;
  }
  return last?.ms;
}
