// End to end: tasks watched live through `npm start`'s stack with @greenlight/client's watchTask: every change once and
// in order, resumed with Last-Event-ID after a restart of the stack; and 100 open streams cost the Worker little memory.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Task, type TaskEventWithId, watchTaskEvents } from "@greenlight/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type CallbackReceiver, startCallbackReceiver } from "../../scripts/lib/callback-receiver.ts";
import { devClient, setting } from "../../scripts/lib/dev-vars.ts";
import { type StackClients, stackClients } from "../../scripts/lib/greenlight-client.ts";
import { solidPng } from "../../scripts/lib/png.ts";
import { processGroup } from "../../scripts/lib/proc.ts";
import { portReleased, type Stack, startStack, stopAllStacks } from "../../scripts/lib/stack.ts";
import { waitFor } from "../../scripts/lib/wait.ts";
import { signDecisionToken } from "../../worker/src/domain/decision-token.ts";

const client = devClient(setting("CLIENT_KEYS"));
const reviewerToken = setting("REVIEWER_TOKEN");
const LIMITS = { claim: 10_000, final: 30_000 };
const RED = solidPng(40, 30, [230, 20, 20]);
const STREAMS = 100;
// Measured at 20 to 27 MB for 100 streams here; a stream that held its task's work in memory would cost far more.
const MAX_GROWTH_MB = 60;

let receiver: CallbackReceiver;
let stack: Stack;
const stateDir = mkdtempSync(join(tmpdir(), "greenlight-events-"));
const apiFor = (target: Stack): StackClients => stackClients(target.baseUrl, { clientKey: client.key, reviewerToken });
const approve = (taskId: string) =>
  signDecisionToken(setting("DECISION_SIGNING_SECRET"), {
    taskId,
    decision: "approve",
    reviewer: { id: "U0LIVE", name: "Live" },
    issuer: "console",
  });

beforeAll(async () => {
  receiver = await startCallbackReceiver();
  stack = await startStack(stateDir);
});

afterAll(async () => {
  await stopAllStacks();
  await receiver?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const upload = async (api: StackClients, name: string) =>
  (await api.client.upload(RED, { contentType: "image/png", callbackUrl: `${receiver.url}/hooks/${name}` })).task;

/** Tasks reviewers have been handed, so each is pre-screened and queued: its log holds events 1 and 2. */
async function claimed(api: StackClients, tasks: Task[]): Promise<Task[]> {
  const waiting = new Set(tasks.map((task) => task.taskId));
  await waitFor(
    `${tasks.length} tasks to be claimed`,
    async () => {
      const { data } = await api.reviewer.api.POST("/v1/reviews/claim", { body: { limit: 100 } });
      for (const item of data?.items ?? []) waiting.delete(item.taskId);
      return waiting.size === 0 ? true : undefined;
    },
    { timeoutMs: LIMITS.claim * 3, intervalMs: 100 },
  );
  return tasks;
}

const workerdRssMb = () =>
  processGroup(stack.child.pid ?? 0)
    .filter((member) => member.name === "workerd")
    .reduce((sum, member) => sum + member.rssMb, 0);

it("sends every change once and in order, and resumes with Last-Event-ID after a restart of the stack", async () => {
  let api = apiFor(stack);
  const [task] = await claimed(api, [await upload(api, "events-restart")]);
  if (!task) throw new Error("no task");
  const seen: TaskEventWithId[] = [];
  for await (const event of api.client.watchTask(task.taskId)) {
    seen.push(event);
    if (event.type === "state") await api.reviewer.decide(await approve(task.taskId));
    // The client goes away right after the decision, as a browser tab would.
    if (event.type === "decided") break;
  }
  await api.client.waitForTask(task.taskId, {
    until: (current) => current.callback.state === "delivered",
    timeoutMs: LIMITS.final,
    live: false,
  });

  await stack.stop();
  await waitFor(`port ${stack.port} to be released`, async () => ((await portReleased(stack)) ? true : undefined), { timeoutMs: 10_000 });
  stack = await startStack(stateDir);
  api = apiFor(stack);
  for await (const event of api.client.watchTask(task.taskId, { lastEventId: seen.at(-1)!.id })) seen.push(event);

  expect(seen.map((event) => [event.id, event.type, event.task?.status])).toEqual([
    [2, "state", "pending"],
    [3, "decided", "approved"],
    [4, "tagged", "completed"],
    [5, "completed", "completed"],
    [6, "callback.delivered", "completed"],
  ]);
  expect(seen.at(-1)!.task).toEqual((await api.client.getTask(task.taskId)).task);
});

it(`holds ${STREAMS} open streams for little memory, and each still hears its task's decision`, async () => {
  const api = apiFor(stack);
  const tasks = await claimed(api, await Promise.all(Array.from({ length: STREAMS }, (_, n) => upload(api, `events-many-${n}`))));
  const before = workerdRssMb();
  const stop = new AbortController();
  const streams = tasks.map((task) => watchTaskEvents(api.client.api, task.taskId, { signal: stop.signal }));
  try {
    const states = await Promise.all(streams.map(async (stream) => (await stream.next()).value));
    expect(states.map((event) => event?.type)).toEqual(Array(STREAMS).fill("state"));
    const growth = workerdRssMb() - before;
    console.log(`${STREAMS} open streams: workerd +${growth.toFixed(1)} MB`);
    expect(growth).toBeLessThan(MAX_GROWTH_MB);
    expect((await fetch(`${stack.baseUrl}/healthz`)).status).toBe(200);

    const last = tasks.at(-1)!;
    await api.reviewer.decide(await approve(last.taskId));
    expect((await streams.at(-1)!.next()).value).toMatchObject({ type: "decided", task: { taskId: last.taskId, status: "approved" } });
  } finally {
    stop.abort();
    await Promise.all(streams.map((stream) => stream.return(undefined).catch(() => undefined)));
  }
});
