// The gate looks after the workflow it started until it ends: nothing decided stays stuck, whatever stopped it.
import { introspectWorkflowInstance, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { STEPS } from "../src/workflows/review-workflow.ts";
import { createTask, decide, decisionToken, gateOf, waitForTask } from "./support/api.ts";
import { receiver } from "./support/callbacks.ts";

/** Minutes from now to the gate's alarm, or null for none. */
async function alarmIn(taskId: string): Promise<number | null> {
  const at = await runInDurableObject(gateOf(taskId), (_, state) => state.storage.getAlarm());
  return at === null ? null : Math.round((at - Date.now()) / 60_000);
}

describe("the gate's watch over a started workflow", () => {
  it("looks once a minute after the start, and stops once the workflow has ended", async () => {
    const task = await createTask();
    await decide(await decisionToken(task.taskId, "reject"));
    await waitForTask(task.taskId, (current) => current.status === "rejected" && current.callback.state === "none");
    await waitForWatch(task.taskId, 1);

    expect(await runDurableObjectAlarm(gateOf(task.taskId))).toBe(true);
    expect(await alarmIn(task.taskId)).toBeNull();
  });

  it("looks again after 2, 4, 8, 16 and 32 minutes, then hourly, while the workflow is still at work", async () => {
    // A receiver that keeps failing holds the workflow in its delivery schedule for a day.
    const inbox = await receiver(Array(8).fill(500));
    const task = await createTask({ callbackUrl: inbox.url });
    await decide(await decisionToken(task.taskId, "reject"));
    await waitForWatch(task.taskId, 1);

    const waits: (number | null)[] = [];
    for (let look = 0; look < 7; look++) {
      expect(await runDurableObjectAlarm(gateOf(task.taskId))).toBe(true);
      waits.push(await alarmIn(task.taskId));
    }
    expect(waits).toEqual([2, 4, 8, 16, 32, 60, 60]);
    // Nudged seven times, the instance is still on its schedule, as it would be without them.
    expect((await (await env.REVIEW_WORKFLOW.get(task.taskId)).status()).status).not.toBe("errored");
  });

  it("starts again a workflow that is gone, and the task reaches its final state", async () => {
    const task = await createTask();
    const instance = await introspectWorkflowInstance(env.REVIEW_WORKFLOW, task.taskId);
    await instance.modify(async (m) => {
      await m.disableRetryDelays();
      // KV refuses the decision's write on every try the step has: the instance errors, the record says pending.
      await m.mockStepError({ name: STEPS.recordDecision }, new Error("KV is unavailable"), 6);
    });
    await decide(await decisionToken(task.taskId, "reject"));
    await instance.waitForStatus("errored");
    // Disposing the introspector deletes the instance, as a local runtime that lost its state would.
    await instance.dispose();
    await expect(env.REVIEW_WORKFLOW.get(task.taskId)).rejects.toThrow();
    expect((await waitForTask(task.taskId, () => true)).status).toBe("pending");

    expect(await runDurableObjectAlarm(gateOf(task.taskId))).toBe(true);
    expect((await waitForTask(task.taskId, (current) => current.status === "rejected")).status).toBe("rejected");
    expect(await alarmIn(task.taskId)).toBe(2);
  });
});

/** Waits until the gate has armed its watch `minutes` ahead: the alarm that started the workflow has run. */
async function waitForWatch(taskId: string, minutes: number) {
  const started = Date.now();
  while ((await alarmIn(taskId)) !== minutes) {
    if (Date.now() - started > 10_000) throw new Error(`the gate of ${taskId} never armed its watch`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
