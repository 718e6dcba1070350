// Minutes of mixed load and no fault: uploads, claims, announcements, approvals and rejections side by side, with the
// stack's memory and the repeated deliveries printed as it goes. Targets: no delivery repeated to a receiver that
// answered at once, and memory flat after the first sample (the warm-up).
import { setTimeout as sleep } from "node:timers/promises";
import { noisePngs } from "../bench/images.ts";
import { int, num } from "../bench/stats.ts";
import { decide, IMAGE_KB } from "./steps.ts";
import type { Scenario, World } from "./world.ts";

const UPLOADERS = 3;
const UPLOAD_PAUSE_MS = 200;
// A reviewer claims this many at a time and decides them one by one: about 2 approvals a second, which the tagger
// (one image at a time, about 150 ms each) keeps up with.
const CLAIM = 5;
const REVIEW_PAUSE_MS = 1_000;
// Of the claimed tasks: this share approved, this share rejected, the rest announced and left pending.
const APPROVED = 0.4;
const REJECTED = 0.4;

export const mixedLoad: Scenario = {
  name: "mixed-load",
  summary: "mixed load: uploads, claims, announcements, approvals and rejections; memory and repeated deliveries as it goes",
  async run(world) {
    const minutes = world.quick ? 1 : 4;
    const sampleMs = world.quick ? 20_000 : 60_000;
    const started = Date.now();
    const until = started + minutes * 60_000;
    let decisions = 0;
    let seed = 0;
    const uploaders = Array.from({ length: UPLOADERS }, async () => {
      while (Date.now() < until) {
        const [image] = noisePngs(1, IMAGE_KB, ++seed);
        const uploaded = await world.traffic.upload(image as Buffer, world.callbackUrl(`load-${seed}`));
        if (uploaded) world.tally.accept(uploaded.taskId, "pending");
        await sleep(UPLOAD_PAUSE_MS);
      }
    });
    const reviewer = (async () => {
      while (Date.now() < until) {
        for (const item of await world.traffic.claim(CLAIM)) {
          if (!(await world.traffic.announce(item.taskId))) continue;
          const roll = Math.random();
          if (roll < APPROVED + REJECTED && (await decide(world, item.taskId, roll < APPROVED ? "approve" : "reject"))) decisions++;
        }
        await sleep(REVIEW_PAUSE_MS);
      }
    })();

    const samples: Sample[] = [];
    while (Date.now() < until) {
      await sleep(Math.min(sampleMs, until - Date.now()));
      const sample = takeSample(world, Date.now() - started, decisions);
      samples.push(sample);
      world.log(describeSample(sample));
    }
    await Promise.all([...uploaders, reviewer]);
    world.tally.notes.push(...memoryNotes(samples));
  },
};

type Sample = {
  atMs: number;
  accepted: number;
  decisions: number;
  callbacks: number;
  sameIdRepeats: number;
  rssMb: Map<string, number>;
  /** Open files of the workerd that runs the Worker: local Durable Objects and Workflow instances hold theirs open. */
  workerFiles: number;
};

function takeSample(world: World, atMs: number, decisions: number): Sample {
  const rssMb = new Map<string, number>();
  // Several processes can share a name (the tagger while it is started again): their memory adds up.
  let workerFiles = 0;
  for (const process of world.processes()) {
    rssMb.set(process.name, (rssMb.get(process.name) ?? 0) + process.rssMb);
    if (process.name === "workerd") workerFiles += process.openFds;
  }
  const ids = new Set(world.receiver.received.map((callback) => callback.headers["webhook-id"]));
  return {
    atMs,
    accepted: world.tally.expected.size,
    decisions,
    callbacks: world.receiver.received.length,
    sameIdRepeats: world.receiver.received.length - ids.size,
    rssMb,
    workerFiles,
  };
}

const at = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.round((ms % 60_000) / 1000)).padStart(2, "0")}`;

function describeSample(sample: Sample): string {
  const memory = [...sample.rssMb].map(([name, mb]) => `${name} ${int(mb)}`).join(", ");
  const total = [...sample.rssMb.values()].reduce((sum, mb) => sum + mb, 0);
  return (
    `at ${at(sample.atMs)}: ${int(sample.accepted)} accepted, ${int(sample.decisions)} decided, ${int(sample.callbacks)} callbacks, ` +
    `${int(sample.sameIdRepeats)} repeated deliveries; RSS MB ${memory} (total ${int(total)}); workerd open files ${int(sample.workerFiles)}`
  );
}

/** Each process's memory at every sample, and how fast it changed after the first (the warm-up). */
function memoryNotes(samples: Sample[]): string[] {
  const [first] = samples;
  const last = samples.at(-1);
  if (!first || !last || last === first) return [];
  const minutes = (last.atMs - first.atMs) / 60_000;
  const names = [...new Set(samples.flatMap((sample) => [...sample.rssMb.keys()]))];
  return [
    `RSS MB at ${samples.map((sample) => at(sample.atMs)).join(" / ")}; after the first sample (warm-up) the target is flat:`,
    ...names.map((name) => {
      const change = (last.rssMb.get(name) ?? 0) - (first.rssMb.get(name) ?? 0);
      return `  ${name}: ${samples.map((sample) => int(sample.rssMb.get(name))).join(" / ")} (${change >= 0 ? "+" : ""}${num(change / minutes)} MB a minute)`;
    }),
    `  workerd open files: ${samples.map((sample) => int(sample.workerFiles)).join(" / ")} (${num((last.workerFiles - first.workerFiles) / Math.max(1, last.decisions - first.decisions))} more per decision)`,
  ];
}
