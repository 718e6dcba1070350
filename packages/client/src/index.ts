// @greenlight/client: a typed Greenlight client generated from the Worker's OpenAPI document, with its helpers.
export { type CallbackEvent, verifyCallback, WebhookVerificationError } from "./callbacks.ts";
export {
  type ClientOptions,
  createGreenlightClient,
  type FetchedTask,
  FINAL_STATUSES,
  type GreenlightApi,
  type GreenlightClient,
  isFinal,
  type Uploaded,
  type UploadOptions,
  type WaitOptions,
} from "./client.ts";
export { GreenlightError, WaitTimeout } from "./errors.ts";
export { type TaskEventWithId, type WatchOptions, watchTaskEvents } from "./events.ts";
export { type Receipt, type ReceiptKeySet, ReceiptVerificationError, verifyReceipt } from "./receipts.ts";
export type { components, paths } from "./schema.d.ts";
export type * from "./types.ts";
