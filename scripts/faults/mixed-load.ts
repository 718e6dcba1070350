// Minutes of mixed load and no fault: uploads, claims, announcements, approvals and rejections side by side, with the
// stack's memory and the repeated deliveries printed as it goes. Targets: no delivery repeated to a receiver that
// answered at once, and memory flat after the warm-up.
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
// The local Workflows engine keeps each instance in memory for 5 minutes after its last step (ENGINE_TIMEOUT in
// miniflare's workflows binding), so under steady decisions the Worker's memory climbs that long before it can level.
const WARM_UP_MS = 5 * 60_000;

export const mixedLoad: Scenario = {
  name: "mixed-load",
  summary: "mixed load: uploads, claims, announcements, approvals and rejections; memory and repeated deliveries as it goes",
  async run(world) {
    const minutes = world.quick ? 1 : 8;
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

type Sample = { atMs: number; accepted: number; decisions: number; callbacks: number; sameIdRepeats: number; rssMb: Map<string, number> };

function takeSample(world: World, atMs: number, decisions: number): Sample {
  const rssMb = new Map<string, number>();
  // Several processes can share a name (the tagger while it is started again): their memory adds up.
  for (const process of world.processes()) rssMb.set(process.name, (rssMb.get(process.name) ?? 0) + process.rssMb);
  const ids = new Set(world.receiver.received.map((callback) => callback.headers["webhook-id"]));
  return {
    atMs,
    accepted: world.tally.expected.size,
    decisions,
    callbacks: world.receiver.received.length,
    sameIdRepeats: world.receiver.received.length - ids.size,
    rssMb,
  };
}

const at = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.round((ms % 60_000) / 1000)).padStart(2, "0")}`;

function describeSample(sample: Sample): string {
  const memory = [...sample.rssMb].map(([name, mb]) => `${name} ${int(mb)}`).join(", ");
  const total = [...sample.rssMb.values()].reduce((sum, mb) => sum + mb, 0);
  return (
    `at ${at(sample.atMs)}: ${int(sample.accepted)} accepted, ${int(sample.decisions)} decided, ${int(sample.callbacks)} callbacks, ` +
    `${int(sample.sameIdRepeats)} repeated deliveries; RSS MB ${memory} (total ${int(total)})`
  );
}

/** Each process's memory at every sample, and how fast it changed after the warm-up. */
function memoryNotes(samples: Sample[]): string[] {
  const settled = samples.filter((sample) => sample.atMs >= WARM_UP_MS);
  const [first] = settled;
  const last = settled.at(-1);
  const names = [...new Set(samples.flatMap((sample) => [...sample.rssMb.keys()]))];
  const change = (name: string) => {
    if (!first || !last || last === first) return "";
    const mb = ((last.rssMb.get(name) ?? 0) - (first.rssMb.get(name) ?? 0)) / ((last.atMs - first.atMs) / 60_000);
    return ` (${mb >= 0 ? "+" : ""}${num(mb)} MB a minute from ${at(first.atMs)})`;
  };
  return [
    `RSS MB at ${samples.map((sample) => at(sample.atMs)).join(" / ")}; the target is flat after the ${WARM_UP_MS / 60_000}-minute warm-up${first === last ? ", which this run does not outlast" : ""}:`,
    ...names.map((name) => `  ${name}: ${samples.map((sample) => int(sample.rssMb.get(name))).join(" / ")}${change(name)}`),
  ];
}
