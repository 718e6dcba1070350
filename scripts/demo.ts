// Usage: npm run demo   (env: GREENLIGHT_URL, default http://127.0.0.1:${PORT:-8787}; start the stack first with npm start)
// Walks the whole flow against the local stack: upload, claim, preview, announce, approve, tags and the signed callback.
import { relative } from "node:path";
import { type Task, verifyCallback } from "@greenlight/client";
import { signDecisionToken } from "../worker/src/domain/decision-token.ts";
import { type CallbackReceiver, startCallbackReceiver } from "./lib/callback-receiver.ts";
import { devClient, devVarsFile, newestSetting, ROOT, setting } from "./lib/dev-vars.ts";
import { claimTask, fetchBytes, StackUnreachable, stackClients } from "./lib/greenlight-client.ts";
import { solidPng } from "./lib/png.ts";

const baseUrl = process.env.GREENLIGHT_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`;
const TIMEOUTS = { claim: 15_000, completed: 60_000, callback: 30_000 };

class StepFailed extends Error {}

const started = Date.now();
let step = 0;
const say = (line: string) => console.log(`${String(++step).padStart(2)}. ${line}`);
const detail = (line: string) => console.log(`      ${line}`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

// For the client's raw typed calls, which answer {error, response} rather than throw as its helpers do.
function expectStatus(what: string, { error, response }: { error?: unknown; response: Response }, status: number) {
  if (response.status !== status)
    throw new StepFailed(`${what} answered ${response.status}, expected ${status}: ${JSON.stringify(error ?? null)}`);
}

let receiver: CallbackReceiver | undefined;
try {
  await runDemo();
  process.exitCode = 0;
} catch (error) {
  if (error instanceof StackUnreachable) {
    console.error(
      `\nGreenlight is not running at ${baseUrl}: start it with npm start (in another terminal), or set GREENLIGHT_URL or PORT.`,
    );
  } else {
    console.error(`\nDemo failed at step ${step + 1}: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exitCode = 1;
} finally {
  await receiver?.close();
}

async function runDemo() {
  const client = devClient(setting("CLIENT_KEYS"));
  const api = stackClients(baseUrl, { clientKey: client.key, reviewerToken: newestSetting("REVIEWER_TOKEN") });
  const secrets = relative(ROOT, devVarsFile());
  console.log(`Greenlight demo against ${baseUrl} (client "${client.id}", secrets from ${secrets})\n`);

  expectStatus("GET /healthz", await api.client.api.GET("/healthz"), 200);
  say("The stack is up: GET /healthz -> 200");

  receiver = await startCallbackReceiver();
  const callbackUrl = `${receiver.url}/callbacks/demo`;
  say(`Callback receiver listening on ${callbackUrl}`);

  const image = solidPng(64, 48, [220, 20, 30]);
  say(`Made a 64x48 solid red PNG in memory (${image.byteLength} bytes)`);

  const metadata = { source: "npm run demo", filename: "red-rectangle.png", requestedBy: process.env.USER ?? "demo" };
  const { task: created, response } = await api.client.upload(image, { contentType: "image/png", callbackUrl, metadata });
  say(
    `Uploaded it: POST /v1/tasks -> 202, Location ${response.headers.get("location")}, Retry-After ${response.headers.get("retry-after")}`,
  );
  showTask(created);
  const taskId = created.taskId;

  const polled = await api.client.getTask(taskId);
  say(`Polled GET /v1/tasks/${taskId}: status ${polled.task.status}, waiting for a reviewer (ETag ${polled.etag})`);

  const claimed = await claimTask(api.reviewer, taskId, TIMEOUTS.claim);
  say("Claimed it as reviewer tooling would: POST /v1/reviews/claim -> its ReviewItem");
  for (const line of JSON.stringify(claimed.item, null, 2).split("\n")) detail(line);
  if (claimed.others.length > 0) {
    detail(`(also claimed ${claimed.others.length} older pending task(s) in the local queue; they are offered again after CLAIM_LEASE)`);
  }

  const preview = await fetchBytes(claimed.item.image.previewUrl);
  if (preview.status !== 200) throw new StepFailed(`GET previewUrl answered ${preview.status}, expected 200`);
  const same = Buffer.from(preview.bytes).equals(Buffer.from(image));
  if (!same) throw new StepFailed("previewUrl served different bytes from the ones uploaded");
  say(
    `Fetched its previewUrl with no credentials -> 200 ${preview.contentType}, ${preview.bytes.byteLength} bytes, the same bytes as uploaded`,
  );

  const announcement = { channel: "C0DEMO", messageTs: `${Date.now() / 1000}` };
  const announced = await api.reviewer.api.POST("/v1/reviews/{id}/announcement", { params: { path: { id: taskId } }, body: announcement });
  expectStatus(`POST /v1/reviews/${taskId}/announcement`, announced, 204);
  say(`Confirmed the announcement (channel ${announcement.channel}): POST /v1/reviews/${taskId}/announcement -> 204`);

  const reviewer = { id: "U0DEMO", name: "Demo Reviewer" };
  const token = await signDecisionToken(setting("DECISION_SIGNING_SECRET"), {
    taskId,
    decision: "approve",
    reviewer,
    issuer: "console",
    reason: "Looks fine",
  });
  say(`Signed an approve decision as "${reviewer.name}" (HS256 JWT, DECISION_SIGNING_SECRET)`);

  const decided = await api.reviewer.decide(token);
  say(`POST /v1/decisions -> 200, status ${decided.status}`);

  const waitingSince = Date.now();
  say("Polling until the tagger has run:");
  let shown = "";
  const completed = await api.client.waitForTask(taskId, {
    timeoutMs: TIMEOUTS.completed,
    intervalMs: 250,
    onChange: (task) => {
      if (task.status === shown) return;
      shown = task.status;
      detail(`status ${shown} (${seconds(waitingSince)})`);
    },
  });
  if (completed.status !== "completed") throw new StepFailed(`the task ended ${completed.status}, expected completed`);
  detail(`tags: ${(completed.tags ?? []).map((tag) => `${tag.label} (${tag.score}, ${tag.source})`).join(", ")}`);

  const callback = await receiver.waitForTask(taskId, TIMEOUTS.callback);
  const event = verifyCallback(newestSetting("CALLBACK_SIGNING_SECRET"), callback.body, callback.headers);
  if (event.type !== "task.completed" || event.data.status !== "completed") {
    throw new StepFailed(`the callback says ${event.type} with status ${event.data.status}, expected task.completed`);
  }
  say(`Callback received on ${callback.path}: ${event.type}, webhook-id ${callback.headers["webhook-id"]}`);
  detail("Standard Webhooks signature verified with CALLBACK_SIGNING_SECRET (verifyCallback from @greenlight/client)");

  const delivered = await api.client.waitForTask(taskId, {
    until: (task) => task.callback.state === "delivered",
    timeoutMs: TIMEOUTS.callback,
    intervalMs: 250,
  });
  say(
    `GET /v1/tasks/${taskId}: callback ${delivered.callback.state} after ${delivered.callback.attempts} attempt(s) at ${delivered.callback.deliveredAt}`,
  );

  const colours = (completed.tags ?? []).filter((tag) => tag.source === "colour").map((tag) => tag.label);
  console.log(
    [
      "",
      `Done in ${seconds(started)}: ${taskId} went pending -> approved -> completed,`,
      `tagged ${colours.join(", ") || "(no colour)"} by the embedded tagger, and the client was called back once with a valid signature.`,
    ].join("\n"),
  );
}

function showTask(task: Task) {
  detail(`task ${task.taskId}: status ${task.status}, review deadline ${task.reviewDeadline}`);
  detail(
    `image ${task.image.contentType} ${task.image.width}x${task.image.height}, ${task.image.bytes} bytes, sha256 ${task.image.sha256.slice(0, 16)}...`,
  );
  detail(`metadata ${JSON.stringify(task.metadata)}, callback ${task.callback.state}`);
}
