// A task's decision receipt, signed with the first of RECEIPT_SIGNING_KEYS as the task reaches a final state.
import { taggerModel } from "../adapters/tagger.ts";
import type { Settings } from "../config.ts";
import { receiptClaims, signReceipt } from "../domain/receipt.ts";
import type { Task } from "../domain/task.ts";

/** The receipt of `task` in the final state it is being recorded in, signed at `now`. */
export function signTaskReceipt(settings: Pick<Settings, "receiptKeys" | "tagger">, task: Task, now = new Date()): Promise<string> {
  return signReceipt(settings.receiptKeys.signing, receiptClaims(task, taggerModel(settings.tagger)), now);
}
