// Usage: npm run test:faults [-- [--quick] [--only upload-crashes,tagger-crash,...]]
// The fault suite: drives the local stack as real processes through kill -9 during uploads, during tagging and during
// callback delivery, the tagger killed while approvals arrive, the callback receiver down and back, a stop and start
// across review deadlines, and minutes of mixed load; each scenario on a fresh stack with its own state. Prints per
// scenario the tasks accepted, lost and stuck, duplicate callbacks and 5xx answers, and exits 1 on any loss, any task
// stuck after the settle period, a second webhook-id for one task's final event, any 5xx, or a failed check.
// About 10 minutes when all is well, --quick about 6: both wait for the gate to ask again for the pre-screen jobs a
// kill -9 loses, 5 minutes after their upload. A stuck task holds its scenario for the whole 6-minute settle period.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { int, seconds } from "./bench/stats.ts";
import { table } from "./bench/table.ts";
import { deadlineRestart } from "./faults/deadline-restart.ts";
import { deliveryCrash } from "./faults/delivery-crash.ts";
import { mixedLoad } from "./faults/mixed-load.ts";
import { startReceiverFront } from "./faults/receiver-front.ts";
import { receiverOutage } from "./faults/receiver-outage.ts";
import { SETTLE_MS, settle } from "./faults/settle.ts";
import { taggerCrash } from "./faults/tagger-crash.ts";
import { taggingCrash } from "./faults/tagging-crash.ts";
import { type Outcome, passed, verdict } from "./faults/tally.ts";
import { uploadCrashes } from "./faults/upload-crashes.ts";
import { type Scenario, World } from "./faults/world.ts";
import { startCallbackReceiver } from "./lib/callback-receiver.ts";
import { devClient, newestSetting, setting } from "./lib/dev-vars.ts";
import { stopAllStacks } from "./lib/stack.ts";

const SCENARIOS: Scenario[] = [uploadCrashes, taggingCrash, deliveryCrash, taggerCrash, receiverOutage, deadlineRestart, mixedLoad];
// Scenarios spend most of their time waiting (restarts, retries, the reconciler), so some run side by side, each on its
// own stack and in the order above: the mixed load comes last, while the upload scenario waits for the reconciler.
const SIDE_BY_SIDE = { quick: 3, full: 2 };

const { values } = parseArgs({ options: { quick: { type: "boolean", default: false }, only: { type: "string" } } });
const quick = values.quick;
const only = values.only?.split(",").map((name) => name.trim());
const unknown = only?.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name)) ?? [];
if (unknown.length) {
  console.error(`Unknown scenario ${unknown.join(", ")}; the scenarios are ${SCENARIOS.map((scenario) => scenario.name).join(", ")}`);
  process.exit(2);
}
const selected = SCENARIOS.filter((scenario) => !only || only.includes(scenario.name));

const started = Date.now();
const log = (scenario: string, line: string) => {
  const elapsed = Math.round((Date.now() - started) / 1000);
  console.log(
    `[${String(Math.floor(elapsed / 60)).padStart(2, "0")}:${String(elapsed % 60).padStart(2, "0")}] ${scenario.padEnd(16)} ${line}`,
  );
};

const client = devClient(setting("CLIENT_KEYS"));
const credentials = { clientKey: client.key, reviewerToken: newestSetting("REVIEWER_TOKEN") };
const decisionSecret = setting("DECISION_SIGNING_SECRET");
const workDir = mkdtempSync(join(tmpdir(), "greenlight-faults-"));
const running = new Set<World>();
const outcomes: Outcome[] = [];
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void finish(130));

log(
  "suite",
  `${selected.length} scenario(s)${quick ? ", quick" : ""}; settle period ${SETTLE_MS / 60_000} minutes after each scenario's last fault`,
);
const queue = [...selected];
const lanes = Math.min(quick ? SIDE_BY_SIDE.quick : SIDE_BY_SIDE.full, queue.length);
await Promise.all(
  Array.from({ length: lanes }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) outcomes.push(await runScenario(next));
  }),
);
await finish(outcomes.every(passed) ? 0 : 1);

/** One scenario on a fresh stack: its run, then the settle period, then its outcome. A failed one keeps its state. */
async function runScenario(scenario: Scenario): Promise<Outcome> {
  const began = Date.now();
  const dir = join(workDir, scenario.name);
  mkdirSync(dir);
  const say = (line: string) => log(scenario.name, line);
  say(scenario.summary);
  const receiver = await startCallbackReceiver();
  const front = await startReceiverFront(receiver);
  const world = new World({
    name: scenario.name,
    quick,
    stateDir: join(dir, "state"),
    env: scenario.env ?? {},
    receiver,
    front,
    credentials,
    decisionSecret,
    log: say,
  });
  running.add(world);
  const settled = { lost: 0, stuck: 0, distinctIdDuplicates: 0, sameIdRepeats: 0, failures: [] as string[], notes: [] as string[] };
  try {
    await world.start();
    await scenario.run(world);
    say(`waiting for every task to reach its state (at most ${SETTLE_MS / 60_000} minutes after the last fault)`);
    Object.assign(settled, await settle(world, world.lastFaultAt ?? Date.now()));
  } catch (error) {
    world.tally.failures.push(`the scenario broke: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    running.delete(world);
    await world.shutDown();
    await front.close();
    await receiver.close();
  }
  const { tally } = world;
  const outcome: Outcome = {
    scenario: scenario.name,
    accepted: tally.expected.size,
    ...settled,
    serverErrors: tally.serverErrors,
    ms: Date.now() - began,
    failures: [...tally.failures, ...settled.failures],
    notes: [...tally.notes, ...settled.notes, ...tally.serverErrorSummary()],
  };
  if (passed(outcome)) rmSync(dir, { recursive: true, force: true });
  else {
    writeFileSync(
      join(dir, "stack-output.log"),
      world.outputs.map((lines, index) => [`== stack start ${index + 1}`, ...lines].join("\n")).join("\n\n"),
    );
    outcome.notes.push(`its state and the stack's output are kept in ${dir}`);
  }
  say(
    `${verdict(outcome)}: ${outcome.accepted} accepted, ${outcome.lost} lost, ${outcome.stuck} stuck, ${outcome.distinctIdDuplicates} duplicate ids, ${outcome.sameIdRepeats} repeats, ${outcome.serverErrors} 5xx, ${seconds(outcome.ms)}`,
  );
  return outcome;
}

async function finish(code: number): Promise<never> {
  await Promise.all([...running].map((world) => world.shutDown()));
  await stopAllStacks();
  const rows = outcomes.map((outcome) => [
    outcome.scenario,
    int(outcome.accepted),
    int(outcome.lost),
    int(outcome.stuck),
    int(outcome.distinctIdDuplicates),
    int(outcome.sameIdRepeats),
    int(outcome.serverErrors),
    seconds(outcome.ms),
    verdict(outcome),
  ]);
  const notes = [
    `lost: accepted (202) and later 404. stuck: not where it must be ${SETTLE_MS / 60_000} minutes after the scenario's last fault (final with its callback delivered, or pending and listed).`,
    "2nd id: webhook-ids beyond the first for one task's final event (a failure). repeats: the same webhook-id delivered again (allowed; the target is none for a receiver that answered in time).",
    ...outcomes.flatMap((outcome) => [...outcome.failures, ...outcome.notes].map((line) => `${outcome.scenario}: ${line}`)),
    ...(code === 130 ? ["interrupted: the scenarios that had not finished are not shown"] : []),
  ];
  const when = `${new Date(started).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  console.log(
    `\n${table(
      `Greenlight fault suite${quick ? " --quick" : ""}, ${when}, ${seconds(Date.now() - started)}`,
      ["scenario", "accepted", "lost", "stuck", "2nd id", "repeats", "5xx", "time", "verdict"],
      rows,
      notes,
    )}`,
  );
  if (outcomes.every(passed)) rmSync(workDir, { recursive: true, force: true });
  console.log(code === 0 ? "\nThe fault suite passed." : code === 130 ? "\nThe fault suite was interrupted." : "\nThe fault suite FAILED.");
  process.exit(code);
}
