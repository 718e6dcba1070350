// End to end: crafted images uploaded to `npm start` leave the Worker's memory bounded, /healthz answering, and every task reviewable.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReviewItem } from "@greenlight/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { devClient, setting } from "../../scripts/lib/dev-vars.ts";
import { stackClients } from "../../scripts/lib/greenlight-client.ts";
import { processGroup } from "../../scripts/lib/proc.ts";
import { type Stack, startStack, stopAllStacks, tail } from "../../scripts/lib/stack.ts";
import { waitFor } from "../../scripts/lib/wait.ts";
import {
  gifWithEmptyFrames,
  pngClaiming,
  pngIdatBomb,
  pngPaddedTo,
  pngWithIccpBomb,
  pngWithSecondIhdr,
  progressiveJpegWithScans,
  webpWithHugeFrame,
} from "../support/hostile-images.ts";

// Each one made the old in-isolate decoders use gigabytes or block the Worker for tens of seconds; sizes fit the default 10 MiB limit.
const HOSTILE: [string, string, Uint8Array][] = [
  ["webp-huge-frame", "image/webp", webpWithHugeFrame()],
  ["png-second-ihdr", "image/png", pngWithSecondIhdr()],
  ["png-iccp-bomb", "image/png", pngWithIccpBomb(512 * 2 ** 20)],
  ["png-idat-bomb", "image/png", pngIdatBomb(10_000, 10_000)],
  ["png-claiming-20000", "image/png", pngClaiming(20_000, 20_000)],
  ["jpeg-1600-scans", "image/jpeg", progressiveJpegWithScans(1600)],
  ["gif-800000-frames", "image/gif", gifWithEmptyFrames(800_000)],
];
// The old decoders grew the Worker by 280 MB to 2 GB on a single one of these; the thumbnails the Worker reads now are 36x32.
const MAX_GROWTH_MB = 150;
// Any 10 MB upload, harmless or not, grows local workerd by about 110 MB the first time and 20 to 60 MB the next few
// (body buffers and local R2 that the allocator keeps), so harmless images as large as the largest hostile one go
// through first: the growth measured after them is what the hostile content costs, not its size.
const WARM_UP_BYTES = Math.max(...HOSTILE.map(([, , bytes]) => bytes.length));
const WARM_UPS = 2;
const HEALTH_TIMEOUT_MS = 5_000;

let stack: Stack;
let stateDir: string;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "greenlight-hostile-"));
  stack = await startStack(stateDir);
});

afterAll(async () => {
  await stopAllStacks();
  rmSync(stateDir, { recursive: true, force: true });
});

/**
 * Resident memory of the stack's workerd processes (wrangler runs two: its proxy and the one that runs the Worker);
 * the Images binding's decoding runs in wrangler's Node process.
 */
function workerdRssMb(): number {
  const workerd = processGroup(stack.child.pid ?? 0).filter((member) => member.name === "workerd");
  if (workerd.length === 0) throw new Error(`no workerd in the stack's process group ${stack.child.pid}`);
  return workerd.reduce((sum, member) => sum + member.rssMb, 0);
}

it("accepts every hostile image, keeps the Worker's memory bounded and /healthz answering, and queues each for review", async () => {
  const api = stackClients(stack.baseUrl, { clientKey: devClient(setting("CLIENT_KEYS")).key, reviewerToken: setting("REVIEWER_TOKEN") });
  try {
    expect((await api.client.api.GET("/healthz")).response.status).toBe(200);
    for (let round = 0; round < WARM_UPS; round++) {
      const { task: warmUp } = await api.client.upload(pngPaddedTo(WARM_UP_BYTES), { contentType: "image/png" });
      await waitFor(
        "the warm-up image to be queued for review",
        async () => {
          const claimed = await api.reviewer.api.POST("/v1/reviews/claim", { body: { limit: 1 } });
          expect(claimed.error).toBeUndefined();
          return claimed.data!.items.some((item) => item.taskId === warmUp.taskId && item.prescreen?.perceptualHash) || undefined;
        },
        { timeoutMs: 30_000 },
      );
    }
    const before = workerdRssMb();
    let peak = before;

    const taskIds = new Map<string, string>();
    for (const [name, contentType, bytes] of HOSTILE) {
      const { task } = await api.client.upload(bytes, { contentType, metadata: { hostile: name } });
      taskIds.set(task.taskId, name);
    }

    // Claim until every task has been handed out with its pre-screen; /healthz must answer all along.
    const reviewed = new Map<string, ReviewItem>();
    await waitFor(
      "every hostile task to be queued for review",
      async () => {
        const health = await fetch(`${stack.baseUrl}/healthz`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
        expect(health.status).toBe(200);
        peak = Math.max(peak, workerdRssMb());
        const claimed = await api.reviewer.api.POST("/v1/reviews/claim", { body: { limit: 100 } });
        expect(claimed.error).toBeUndefined();
        // Only the hostile tasks count: a warm-up task whose lease ran out may be handed out again.
        for (const item of claimed.data!.items) if (taskIds.has(item.taskId)) reviewed.set(item.taskId, item);
        return reviewed.size === taskIds.size ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
      () => `queued so far: ${[...reviewed.keys()].map((id) => taskIds.get(id)).join(", ")}`,
    );

    for (const [taskId, name] of taskIds) {
      const { prescreen } = reviewed.get(taskId)!;
      expect(prescreen, name).not.toBeNull();
      // Either real facts with a hash, or the header's facts and the reason the pixels were not read.
      expect(prescreen!.unreadable === null ? prescreen!.perceptualHash : prescreen!.unreadable, name).toEqual(expect.any(String));
    }
    expect(reviewed.get([...taskIds].find(([, name]) => name === "png-claiming-20000")![0])!.prescreen!.unreadable).toMatch(
      /^cannot decode image\/png: 20000x20000 is more than the Images service reads/,
    );
    expect(peak - before, `workerd grew from ${before.toFixed(0)} MB to ${peak.toFixed(0)} MB`).toBeLessThan(MAX_GROWTH_MB);
  } catch (error) {
    if (error instanceof Error) error.message += `\nLast lines from the stack:\n${tail(stack.output)}`;
    throw error;
  }
});
