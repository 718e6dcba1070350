// Throughput rounds: every target in turn for the same time, round after round, so drift on the machine hits all alike.
import type { Stack } from "../lib/stack.ts";
import { type LoadOptions, type LoadResult, startLoad } from "./load.ts";
import { cpuMs, settle } from "./resources.ts";
import { int, num, percentile, seconds as inSeconds } from "./stats.ts";

export type Target = { name: string; stack: Stack; load: Omit<LoadOptions, "connections" | "seconds" | "amount"> };

export type Figures = {
  name: string;
  /** 2xx answers a second over all rounds, and in each round. */
  perSecond: number;
  perRound: number[];
  p50: number;
  p99: number;
  non2xx: number;
  statuses: Record<string, number>;
  errors: number;
  /** CPU time of the target's whole stack per 2xx answer, including the work it finished after its round. */
  cpuMsEach: number;
};

export type RoundPlan = { rounds: number; seconds: number; connections: number; settleMs: number };

export async function interleavedRounds(targets: readonly Target[], plan: RoundPlan, log: (line: string) => void): Promise<Figures[]> {
  const stacks = [...new Set(targets.map((target) => target.stack))];
  const results = new Map<Target, { result: LoadResult; cpuMs: number }[]>(targets.map((target) => [target, []]));
  for (let round = 1; round <= plan.rounds; round++) {
    for (const target of targets) {
      const before = cpuMs([target.stack]);
      const result = await startLoad({ ...target.load, connections: plan.connections, seconds: plan.seconds }).done;
      // The next round starts only once this one's leftovers (workflow steps, queue consumers) are done.
      const settled = await settle(stacks, plan.settleMs);
      results.get(target)?.push({ result, cpuMs: cpuMs([target.stack]) - before });
      const failures = result.non2xx + result.errors;
      log(
        `round ${round}/${plan.rounds}  ${target.name}: ${num(result.ok / result.seconds)}/s, p50 ${int(percentile(result.latencies, 50))} ms, ` +
          `p99 ${int(percentile(result.latencies, 99))} ms${failures ? `, ${failures} failed` : ""} ` +
          `(${settled.quiet ? "quiet again after" : "still busy after"} ${inSeconds(settled.ms)})`,
      );
    }
  }
  return targets.map((target) => summarise(target.name, results.get(target) ?? []));
}

function summarise(name: string, rounds: { result: LoadResult; cpuMs: number }[]): Figures {
  const sum = (pick: (round: { result: LoadResult; cpuMs: number }) => number) => rounds.reduce((total, round) => total + pick(round), 0);
  const ok = sum((round) => round.result.ok);
  const latencies = rounds.flatMap((round) => round.result.latencies);
  const statuses: Record<string, number> = {};
  for (const { result } of rounds)
    for (const [status, count] of Object.entries(result.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
  return {
    name,
    perSecond: ok / sum((round) => round.result.seconds),
    perRound: rounds.map(({ result }) => result.ok / result.seconds),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    non2xx: sum((round) => round.result.non2xx),
    statuses,
    errors: sum((round) => round.result.errors),
    cpuMsEach: sum((round) => round.cpuMs) / ok,
  };
}
