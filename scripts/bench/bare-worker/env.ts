// The bare Worker's bindings, as its wrangler.toml declares them.
import type { Note } from "./note.ts";

export type BareEnv = {
  RECORDS: KVNamespace;
  BLOBS: R2Bucket;
  NOTES: DurableObjectNamespace<Note>;
  NOOP_WORKFLOW: Workflow<{ id: string }>;
  JOBS: Queue<{ id: string }>;
};
