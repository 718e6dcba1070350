// The stacks' processes as /proc sees them: peak memory and open files sampled through the run, CPU time, quiet spells.
import { basename } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type ProcessInfo, processGroup, processInfo } from "../lib/proc.ts";
import type { Stack } from "../lib/stack.ts";

export type Peak = { group: string; process: string; rssMb: number; openFds: number };

// Wrangler and its Node processes tick over at 1-3% of a core when nothing is asked of them.
const QUIET_CPU_SHARE = 0.1;
const QUIET_WINDOW_MS = 1_000;
const SELF = "this bench";
// Each group's processes from the one that starts the others to the one that runs the Worker; others go first.
const PROCESS_ORDER = [
  "start.ts (node)",
  "embedded tagger (node)",
  "wrangler (node)",
  "esbuild",
  "workerd (wrangler's proxy)",
  "workerd (the Worker)",
];

/** Samples every watched process group (and this process) each second, keeping each process's peaks. */
export class ResourceMonitor {
  private readonly groups: { name: string; stack: Stack }[] = [];
  private readonly peaks = new Map<string, Peak>();
  private timer: NodeJS.Timeout | undefined;

  watch(name: string, stack: Stack): void {
    this.groups.push({ name, stack });
  }

  start(intervalMs = 1_000): void {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** The peaks, group by group in the order they were watched, this process last. */
  stop(): Peak[] {
    clearInterval(this.timer);
    this.sample();
    const groups = [...this.groups.map((group) => group.name), SELF];
    const rank = (peak: Peak) => groups.indexOf(peak.group) * (PROCESS_ORDER.length + 1) + PROCESS_ORDER.indexOf(peak.process);
    return [...this.peaks.values()].sort((a, b) => rank(a) - rank(b));
  }

  /** Also called before a stack stops, so its last state counts. */
  sample(): void {
    for (const { name, stack } of this.groups) {
      for (const member of processGroup(stack.child.pid ?? 0)) this.record(name, describe(member, stack.port), member);
    }
    const self = processInfo(process.pid);
    if (self) this.record(SELF, "load generator (node)", self);
  }

  private record(group: string, label: string, member: ProcessInfo): void {
    // A process caught starting or exiting has no command line or memory yet (or any more).
    if (member.argv.length === 0 || member.rssMb === 0) return;
    const key = `${group}\0${label}`;
    const peak = this.peaks.get(key) ?? { group, process: label, rssMb: 0, openFds: 0 };
    // VmHWM keeps the highest RSS between samples too.
    peak.rssMb = Math.max(peak.rssMb, member.rssMb, member.peakRssMb);
    peak.openFds = Math.max(peak.openFds, member.openFds);
    this.peaks.set(key, peak);
  }
}

/** CPU time used so far by every process of these stacks, in ms. */
export function cpuMs(stacks: readonly Stack[]): number {
  return stacks.flatMap((stack) => processGroup(stack.child.pid ?? 0)).reduce((sum, member) => sum + member.cpuMs, 0);
}

/**
 * Waits until these stacks have finished what earlier requests left them (workflow steps, queue consumers, the
 * pre-screen) so the next measurement starts on a quiet machine, or until `timeoutMs` has passed.
 */
export async function settle(stacks: readonly Stack[], timeoutMs: number): Promise<{ ms: number; quiet: boolean }> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const before = cpuMs(stacks);
    await sleep(QUIET_WINDOW_MS);
    if (cpuMs(stacks) - before < QUIET_CPU_SHARE * QUIET_WINDOW_MS) return { ms: Date.now() - started, quiet: true };
  }
  return { ms: Date.now() - started, quiet: false };
}

/** "workerd (the Worker)", "wrangler (node)", ...: what each member of a stack's group is. */
function describe(member: ProcessInfo, port: number): string {
  if (member.name === "workerd") {
    // wrangler runs two: a proxy on the public port, and the one that runs the Worker behind it.
    return member.argv.some((arg) => arg.includes(`:${port}`)) ? "workerd (wrangler's proxy)" : "workerd (the Worker)";
  }
  const script = member.argv.slice(1).find((arg) => !arg.startsWith("-"));
  if (!script || !/\.[jt]s$/.test(script)) return member.name;
  if (script.includes("wrangler")) return "wrangler (node)";
  if (script.includes("local-tagger")) return "embedded tagger (node)";
  return `${basename(script)} (node)`;
}
