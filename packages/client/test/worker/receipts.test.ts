// Inside workerd: verifyReceipt reads the receipt a real review leaves on the task, with the key set the Worker serves.
import { type ReceiptKeySet, ReceiptVerificationError, verifyReceipt } from "@greenlight/client";
import { base64url } from "jose";
import { expect, it } from "vitest";
import { api, createTask, decide, decisionToken, waitForTask } from "../../../../worker/test/support/api.ts";

it("verifies the receipt of a rejected task with GET /.well-known/jwks.json, and refuses it once changed", async () => {
  const task = await createTask();
  await decide(await decisionToken(task.taskId, "reject", { reason: "blurred" }));
  const done = await waitForTask(task.taskId, (current) => current.status === "rejected");
  const keys = (await (await api("/.well-known/jwks.json")).json()) as ReceiptKeySet;

  expect(await verifyReceipt(done.receipt!, keys)).toMatchObject({
    taskId: task.taskId,
    status: "rejected",
    imageSha256: task.image.sha256,
    decision: "reject",
    reviewer: { id: "U-ada", name: "ada" },
    reason: "blurred",
  });
  const [header, payload, signature] = done.receipt!.split(".");
  const approved = { ...JSON.parse(new TextDecoder().decode(base64url.decode(payload!))), decision: "approve" };
  const forged = [header, base64url.encode(JSON.stringify(approved)), signature].join(".");
  await expect(verifyReceipt(forged, keys)).rejects.toThrow(ReceiptVerificationError);
});
