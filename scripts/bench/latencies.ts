// Latencies one task at a time: upload to listed for reviewers, decision to callback (approve, reject), the tagger alone.
import { setTimeout as sleep } from "node:timers/promises";
import type { GreenlightClient } from "@greenlight/client";
import { signDecisionToken } from "../../worker/src/domain/decision-token.ts";
import type { CallbackReceiver } from "../lib/callback-receiver.ts";
import type { StackClients } from "../lib/greenlight-client.ts";
import type { Stack } from "../lib/stack.ts";
import { int, percentile } from "./stats.ts";

export type LatencyFigures = { visible: number[]; approve: number[]; reject: number[]; tagger: number[]; failures: string[] };

type Options = {
  stack: Stack;
  api: StackClients;
  receiver: CallbackReceiver;
  decisionSecret: string;
  images: readonly Buffer[];
  /** Tasks per decision: this many approved and this many rejected, alternately. */
  samples: number;
  log: (line: string) => void;
};

// Often enough to resolve tens of milliseconds, seldom enough not to slow the Worker it watches.
const POLL_MS = 25;
const VISIBLE_TIMEOUT_MS = 30_000;
const CALLBACK_TIMEOUT_MS = 60_000;
const REVIEWER = { id: "UBENCH", name: "Bench Reviewer" };

export async function measureLatencies({ stack, api, receiver, decisionSecret, images, samples, log }: Options): Promise<LatencyFigures> {
  const figures: LatencyFigures = { visible: [], approve: [], reject: [], tagger: [], failures: [] };
  for (let index = 0; index < 2 * samples; index++) {
    const decision = index % 2 === 0 ? "approve" : "reject";
    const image = images[index % images.length] as Buffer;
    try {
      const { task } = await api.client.upload(image, { contentType: "image/png", callbackUrl: `${receiver.url}/bench/${index}` });
      const accepted = Date.now();
      const { taskId } = task;
      await listed(api.reviewer, taskId);
      figures.visible.push(Date.now() - accepted);

      const token = await signDecisionToken(decisionSecret, {
        taskId,
        decision,
        reviewer: REVIEWER,
        issuer: "bench",
        ...(decision === "reject" ? { reason: "bench" } : {}),
      });
      const decided = Date.now();
      await api.reviewer.decide(token);
      const callback = await receiver.waitForTask(taskId, CALLBACK_TIMEOUT_MS);
      figures[decision].push(callback.receivedAt.getTime() - decided);
    } catch (error) {
      figures.failures.push(`${decision} #${index + 1}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  log(
    `upload to listed p50 ${int(percentile(figures.visible, 50))} ms; approve to callback p50 ${int(percentile(figures.approve, 50))} ms; reject p50 ${int(percentile(figures.reject, 50))} ms`,
  );

  const tagger = taggerUrl(stack);
  for (const image of tagger ? images.slice(0, samples) : []) {
    const started = performance.now();
    const response = await fetch(`${tagger}/tag`, { method: "POST", body: image, signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS) });
    await response.arrayBuffer();
    if (response.ok) figures.tagger.push(performance.now() - started);
    else figures.failures.push(`the tagger answered ${response.status}`);
  }
  return figures;
}

/** Polls the pending queue (oldest first; this phase keeps it under one page) until it lists the task. */
async function listed(reviewer: GreenlightClient, taskId: string): Promise<void> {
  const deadline = Date.now() + VISIBLE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const { data } = await reviewer.api.GET("/v1/reviews", { params: { query: { limit: 100 } } });
    if (data?.items.some((item) => item.taskId === taskId)) return;
    await sleep(POLL_MS);
  }
  throw new Error(`${taskId} was not listed by GET /v1/reviews within ${VISIBLE_TIMEOUT_MS / 1000} s`);
}

/** The embedded tagger's address, from the summary `npm start` prints ("Tagger  http://127.0.0.1:PORT ..."). */
function taggerUrl(stack: Stack): string | undefined {
  for (const line of stack.output) {
    const match = /^\s*Tagger\s+(http:\/\/\S+)/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}
