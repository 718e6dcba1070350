// The bench's bare Worker: Greenlight's upload and status read reduced to their platform calls, with no framework,
// auth, validation or image reading, so the bench shows what Greenlight adds on the same runtime.
import type { BareEnv } from "./env.ts";

export { NoopWorkflow } from "./noop-workflow.ts";
export { Note } from "./note.ts";

// Greenlight's default REVIEW_TIMEOUT.
const REVIEW_MS = 24 * 60 * 60 * 1000;

type Upload = { id: string; bytes: ArrayBuffer; contentType: string; createdAt: number };

/** The platform calls of each upload route, one after another in the order Greenlight makes them. */
const UPLOADS: Record<string, (env: BareEnv, upload: Upload) => Promise<void>> = {
  // Greenlight's upload today: image, gate, record, a Workflow instance.
  "/upload/workflow": async (env, upload) => {
    await putBlob(env, upload);
    await env.NOTES.get(env.NOTES.idFromName(upload.id)).open(upload.createdAt + REVIEW_MS);
    await putRecord(env, upload);
    await env.NOOP_WORKFLOW.create({ id: upload.id, params: { id: upload.id } });
  },
  // Where issue 10 takes it: image, gate holding its deadline as an alarm, a queued job, record.
  "/upload/alarm-queue": async (env, upload) => {
    await putBlob(env, upload);
    await env.NOTES.get(env.NOTES.idFromName(upload.id)).openWithAlarm(upload.createdAt + REVIEW_MS);
    await env.JOBS.send({ id: upload.id });
    await putRecord(env, upload);
  },
  "/upload/r2-kv": async (env, upload) => {
    await putBlob(env, upload);
    await putRecord(env, upload);
  },
};

const RECORD_PATH = /^\/records\/([0-9a-f-]{36})$/;

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    const upload = UPLOADS[pathname];
    if (request.method === "POST" && upload) {
      const id = crypto.randomUUID();
      const contentType = request.headers.get("content-type") ?? "application/octet-stream";
      await upload(env, { id, bytes: await request.arrayBuffer(), contentType, createdAt: Date.now() });
      return Response.json({ taskId: id }, { status: 202 });
    }
    const record = RECORD_PATH.exec(pathname);
    if (request.method === "GET" && record) {
      const value = await env.RECORDS.get(`record:${record[1]}`);
      return value === null
        ? new Response(null, { status: 404 })
        : new Response(value, { headers: { "Content-Type": "application/json" } });
    }
    if (pathname === "/healthz") return Response.json({ ok: true });
    return new Response(null, { status: 404 });
  },

  async queue(batch) {
    batch.ackAll();
  },
} satisfies ExportedHandler<BareEnv, { id: string }>;

function putBlob(env: BareEnv, { id, bytes, contentType }: Upload) {
  return env.BLOBS.put(`images/${id}`, bytes, { httpMetadata: { contentType } });
}

/** A record shaped and sized like a pending Greenlight task, so the status read moves the same bytes. */
function putRecord(env: BareEnv, { id, bytes, contentType, createdAt }: Upload) {
  const created = new Date(createdAt).toISOString();
  const record = {
    taskId: id,
    status: "pending",
    createdAt: created,
    updatedAt: created,
    reviewDeadline: new Date(createdAt + REVIEW_MS).toISOString(),
    image: { contentType, bytes: bytes.byteLength },
    metadata: {},
    decision: null,
    tags: null,
    caption: null,
    callback: { url: null, state: "none", attempts: 0, lastError: null, deliveredAt: null },
    links: { self: `/records/${id}`, image: `/images/${id}` },
  };
  return env.RECORDS.put(`record:${id}`, JSON.stringify(record));
}
