import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux we run). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (ms, user + system) used so far by every workerd process this process started
 * (Miniflare's children). Throughput on a shared machine drifts with everyone else's load; the
 * Worker's CPU per request does not, so it says whether a slow path is slow in the Worker.
 * NaN where /proc is missing (not Linux).
 */
export function workerdCpuMs(): number {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return Number.NaN;
  }
  const procs = entries.flatMap((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // "pid (comm) state ppid ...": comm may hold spaces, so split after its closing parenthesis.
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const fields = stat.slice(close + 2).split(" ");
      const ticks = Number(fields[11]) + Number(fields[12]);
      return [{ pid: Number(pid), ppid: Number(fields[1]), comm, ticks }];
    } catch {
      return [];
    }
  });
  const ours = new Set([process.pid]);
  // Descendants, whatever the depth: parents are listed before children often but not always.
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (!ours.has(p.pid) && ours.has(p.ppid)) {
        ours.add(p.pid);
        grew = true;
      }
    }
  }
  const ticks = procs
    .filter((p) => ours.has(p.pid) && p.comm.startsWith("workerd"))
    .reduce((sum, p) => sum + p.ticks, 0);
  return (ticks / TICKS_PER_SECOND) * 1000;
}
