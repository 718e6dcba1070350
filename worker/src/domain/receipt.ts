// Decision receipts: what Greenlight signs when a task reaches a final state, as an EdDSA (Ed25519) JWT that anyone
// holding the published public key can verify, and the keys that sign and publish them.
import { compactVerify, importJWK, SignJWT } from "jose";
import { z } from "zod";
import { callbackMessageId } from "./callback-event.ts";
import { type Approval, ApprovalSchema, DEFAULT_POLICY, ReviewPolicySchema } from "./policy.ts";
import { ReviewerSchema } from "./reviewer.ts";
import { TagSchema } from "./tag.ts";
import { type Decision, DecisionSchema, type Task, TaskStatusSchema } from "./task.ts";

// RFC 8037's name, which every JOSE library knows; jose also takes RFC 9864's "Ed25519" for the same signature.
export const RECEIPT_ALGORITHM = "EdDSA";
export const RECEIPT_TYPE = "greenlight-receipt+jwt";
export const RECEIPT_ISSUER = "greenlight";

const FinalStatusSchema = TaskStatusSchema.extract(["completed", "rejected", "expired", "failed"]);

export const ReceiptSchema = z
  .object({
    iss: z.literal(RECEIPT_ISSUER),
    sub: z.string().meta({ description: "The task id." }),
    jti: z.string().meta({
      description: "The final event's id, the callback's webhook-id: msg_<taskId>, or msg_<taskId>_retry<n> after the nth retry.",
    }),
    iat: z.number().int().meta({ description: "When the receipt was signed, in Unix seconds." }),
    taskId: z.string(),
    status: FinalStatusSchema,
    imageSha256: z.string().regex(/^[0-9a-f]{64}$/),
    decision: DecisionSchema.shape.decision.nullable().meta({ description: "null when the review expired." }),
    reviewer: ReviewerSchema.nullable(),
    reason: z.string().nullable(),
    decidedAt: z.iso.datetime().nullable(),
    via: z.string().nullable(),
    policy: z.object({
      approvalsRequired: ReviewPolicySchema.shape.approvalsRequired,
      onDeadline: ReviewPolicySchema.shape.onDeadline,
      approvals: z.array(ApprovalSchema).meta({
        description:
          "The approvals the decision counted, in order: the quorum for an approval, those before it for a rejection; none when expired.",
      }),
    }),
    tags: z.array(TagSchema).nullable(),
    taggerModel: z.string().nullable().meta({ description: "The model that produced the tags; null without tags." }),
  })
  .meta({
    id: "Receipt",
    description: `The payload of a task's receipt: a compact JWS (alg ${RECEIPT_ALGORITHM}, typ ${RECEIPT_TYPE}) verified with GET /.well-known/jwks.json.`,
  });
export type Receipt = z.infer<typeof ReceiptSchema>;
/** What a receipt says before it is signed; signing adds `iat`. */
export type ReceiptClaims = Omit<Receipt, "iat">;

// 32 bytes, unpadded base64url: an Ed25519 public key (x) or private key (d).
const KEY_BYTES = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

/** One entry of RECEIPT_SIGNING_KEYS: an Ed25519 JWK with its kid; with `d` it can sign, without it is only published. */
export const ReceiptSigningJwkSchema = z.object({
  kty: z.literal("OKP"),
  crv: z.literal("Ed25519"),
  kid: z.string().min(1).max(200),
  x: KEY_BYTES,
  d: KEY_BYTES.optional(),
});
export type ReceiptSigningJwk = z.infer<typeof ReceiptSigningJwkSchema>;
export type ReceiptPrivateJwk = ReceiptSigningJwk & { d: string };

export const ReceiptKeySchema = z
  .object({
    kty: z.literal("OKP"),
    crv: z.literal("Ed25519"),
    kid: z.string(),
    x: z.string(),
    alg: z.literal(RECEIPT_ALGORITHM),
    use: z.literal("sig"),
  })
  .meta({ id: "ReceiptKey" });
export type ReceiptKey = z.infer<typeof ReceiptKeySchema>;

export const ReceiptKeySetSchema = z
  .object({ keys: z.array(ReceiptKeySchema).meta({ description: "The key that signs new receipts first, then the older ones." }) })
  .meta({ id: "ReceiptKeySet" });

/** The public half of a key, as the key set publishes it: never `d`. */
export const publicReceiptKey = ({ kty, crv, kid, x }: ReceiptSigningJwk): ReceiptKey => ({
  kty,
  crv,
  kid,
  x,
  alg: RECEIPT_ALGORITHM,
  use: "sig",
});

/** What the receipt of `task`, in a final status, says; `taggerModel` produced its tags. */
export function receiptClaims(task: Task, taggerModel: string | null): ReceiptClaims {
  const status = FinalStatusSchema.safeParse(task.status);
  if (!status.success) throw new Error(`A task in status ${task.status} has no receipt`);
  const { decision } = task;
  const policy = task.policy ?? DEFAULT_POLICY;
  return {
    iss: RECEIPT_ISSUER,
    sub: task.taskId,
    jti: callbackMessageId(task),
    taskId: task.taskId,
    status: status.data,
    imageSha256: task.image.sha256,
    decision: decision?.decision ?? null,
    reviewer: decision?.reviewer ?? null,
    reason: decision?.reason ?? null,
    decidedAt: decision?.decidedAt ?? null,
    via: decision?.via ?? null,
    policy: { approvalsRequired: policy.approvalsRequired, onDeadline: policy.onDeadline, approvals: countedApprovals(decision) },
    tags: task.tags,
    taggerModel: task.tags ? taggerModel : null,
  };
}

// A decision under a quorum lists its approvals; under a single approval, an approval counted itself alone.
function countedApprovals(decision: Decision | null): Approval[] {
  if (!decision) return [];
  if (decision.approvals) return decision.approvals;
  return decision.decision === "approve" ? [{ reviewer: decision.reviewer, decidedAt: decision.decidedAt }] : [];
}

/** The compact JWS of `claims`, signed with `key` at `now`. */
export async function signReceipt(key: ReceiptPrivateJwk, claims: ReceiptClaims, now: Date): Promise<string> {
  const receipt = await new SignJWT(claims)
    .setProtectedHeader({ alg: RECEIPT_ALGORITHM, kid: key.kid, typ: RECEIPT_TYPE })
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .sign(await importJWK(key, RECEIPT_ALGORITHM));
  // WebCrypto signs with d alone: a key whose x is not d's public half would sign receipts its published half refuses.
  await compactVerify(receipt, await importJWK(publicReceiptKey(key), RECEIPT_ALGORITHM)).catch(() => {
    throw new Error(`RECEIPT_SIGNING_KEYS: the x of key ${key.kid} is not the public half of its d`);
  });
  return receipt;
}
