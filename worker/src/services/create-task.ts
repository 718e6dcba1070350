// Accepting an upload: store the image, open the task's gate, queue its pre-screen, record it. No workflow yet: the
// gate starts one when the review ends, so a burst of uploads never meets the Workflows creation limit.
import { openGate } from "../adapters/decision-gate.ts";
import { reserveIdempotencyKey } from "../adapters/idempotency-ledger.ts";
import { putImage } from "../adapters/image-store.ts";
import { requestPrescreen } from "../adapters/prescreen-queue.ts";
import { getTaskRecord, putTaskRecord } from "../adapters/task-store.ts";
import type { Settings } from "../config.ts";
import { sha256Hex } from "../domain/digest.ts";
import { probeImage } from "../domain/image-probe.ts";
import { type ReviewPolicyInput, resolvePolicy } from "../domain/policy.ts";
import { type Metadata, newTaskId, type TaskRecord, taskLinks } from "../domain/task.ts";
import { uploadFingerprint } from "../domain/upload.ts";
import { AppError } from "../errors.ts";

export type Upload = {
  clientId: string;
  bytes: Uint8Array;
  callbackUrl: string | null;
  metadata: Metadata;
  idempotencyKey: string | null;
  /** The upload's own policy fields, over its client's default (absent: the default alone). */
  policy?: ReviewPolicyInput;
};

export type Created = { record: TaskRecord; replayed: boolean };

export async function createTask(env: Env, settings: Settings, upload: Upload, now: Date): Promise<Created> {
  const probe = probeImage(upload.bytes);
  if (!probe) {
    throw new AppError(415, "unsupported_media_type", "The body is not a PNG, JPEG, GIF or WebP image.");
  }
  // Judged before the Idempotency-Key is reserved: a refused policy must leave the key free for the corrected request.
  const policy = resolvePolicy(settings.reviewPolicies[upload.clientId], upload.policy, settings.reviewTimeoutMs);
  const sha256 = await sha256Hex(upload.bytes);
  let taskId = newTaskId();
  let createdAt = now.toISOString();
  let replayed = false;

  if (upload.idempotencyKey !== null) {
    const fingerprint = await uploadFingerprint({ sha256, contentType: probe.contentType, ...upload });
    const reservation = await reserveIdempotencyKey(env, upload.clientId, upload.idempotencyKey, { fingerprint, taskId, createdAt });
    if (reservation.outcome === "conflict") {
      throw new AppError(422, "idempotency_key_reused", "This Idempotency-Key was used with a different request in the last 24 hours.");
    }
    if (reservation.outcome === "replay") {
      const existing = await getTaskRecord(env, reservation.taskId);
      if (existing) return { record: existing, replayed: true };
      // The first request stopped part-way; finishing it with the same id and time is safe, every step is idempotent.
      ({ taskId, createdAt } = reservation);
      replayed = true;
    }
  }

  const record: TaskRecord = {
    clientId: upload.clientId,
    prescreen: null,
    task: {
      taskId,
      status: "pending",
      createdAt,
      updatedAt: createdAt,
      reviewDeadline: new Date(Date.parse(createdAt) + settings.reviewTimeoutMs).toISOString(),
      image: { contentType: probe.contentType, bytes: upload.bytes.byteLength, sha256, width: probe.width, height: probe.height },
      metadata: upload.metadata,
      policy,
      decision: null,
      tags: null,
      caption: null,
      callback: {
        url: upload.callbackUrl,
        state: upload.callbackUrl ? "pending" : "none",
        attempts: 0,
        lastError: null,
        deliveredAt: null,
      },
      links: taskLinks(taskId),
    },
  };
  // A record is written only once its image and gate exist, so an idempotent replay that finds the record of a
  // request that crashed part-way finds its gate too, and the gate sees the rest through. The pre-screen job goes
  // last, when everything it reads exists; should it be lost (a crash just before it, a dropped message), the gate
  // asks for it again.
  await Promise.all([
    putImage(env, taskId, upload.bytes, record.task.image),
    openGate(env, taskId, Date.parse(record.task.reviewDeadline), policy, now.getTime()),
  ]);
  await putTaskRecord(env, record);
  await requestPrescreen(env, taskId);
  return { record, replayed };
}
