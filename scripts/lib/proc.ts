// What Linux's /proc says about a process group: each member's command, resident memory, open files and CPU time.
import { readdirSync, readFileSync } from "node:fs";

export type ProcessInfo = {
  pid: number;
  /** The kernel's short name: "workerd", "node" (Node 24 names its main thread "MainThread"), "esbuild". */
  name: string;
  /** The full command line. */
  argv: string[];
  rssMb: number;
  /** The highest resident memory this process has had in its life (VmHWM). */
  peakRssMb: number;
  openFds: number;
  /** User plus system CPU time so far. */
  cpuMs: number;
};

// USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every Linux ABI Node ships for.
const TICKS_PER_SECOND = 100;

/** Every live member of process group `pgid` (a process started with `detached: true` leads its own). */
export function processGroup(pgid: number): ProcessInfo[] {
  return livePids()
    .filter((pid) => readStat(pid)?.pgid === pgid)
    .flatMap((pid) => processInfo(pid) ?? []);
}

/** One process, or undefined once it has ended. */
export function processInfo(pid: number): ProcessInfo | undefined {
  const stat = readStat(pid);
  if (!stat) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return {
      pid,
      name: stat.name,
      argv: readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean),
      rssMb: kb("VmRSS") / 1024,
      peakRssMb: kb("VmHWM") / 1024,
      openFds: readdirSync(`/proc/${pid}/fd`).length,
      cpuMs: stat.cpuMs,
    };
  } catch {
    return undefined; // it ended while we looked
  }
}

function livePids(): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function readStat(pid: number): { name: string; pgid: number; cpuMs: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // it ended while we looked
  }
  // The command name is parenthesised and may hold spaces; the fields after it start with state, ppid, pgrp.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return {
    name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
    pgid: Number(fields[2]),
    // utime and stime, fields 14 and 15 of stat.
    cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND,
  };
}
