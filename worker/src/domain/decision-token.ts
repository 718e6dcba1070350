// Decision tokens: the HS256 JWTs that Slack, n8n and the console send to POST /v1/decisions.
import { errors, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import type { DecisionRequest } from "./decision.ts";
import { MAX_REASON_LENGTH, ReviewerSchema, TASK_ID_PATTERN } from "./task.ts";

export const DECISION_AUDIENCE = "greenlight/decisions";
export const MAX_TOKEN_LIFETIME_SECONDS = 5 * 60;
export const CLOCK_SKEW_SECONDS = 60;
export const MIN_SECRET_BYTES = 32;

export const DecisionClaimsSchema = z.object({
  iss: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "iss names the sender, such as slack-app"),
  sub: z.string().regex(TASK_ID_PATTERN, "sub must be a task id"),
  decision: z.enum(["approve", "reject"]),
  reviewer: ReviewerSchema,
  reason: z.string().max(MAX_REASON_LENGTH).optional(),
  jti: z.string().min(1).max(200),
  iat: z.number(),
  exp: z.number(),
});
export type DecisionClaims = z.infer<typeof DecisionClaimsSchema>;

export type DecisionInput = {
  taskId: string;
  decision: "approve" | "reject";
  reviewer: { id: string; name: string };
  reason?: string;
  issuer: string;
  jti?: string;
  lifetimeSeconds?: number;
  now?: Date;
};

/** Why a token was refused: `invalid_token` is a 401, `invalid_claims` a 400. */
export class DecisionTokenError extends Error {
  readonly kind: "invalid_token" | "invalid_claims";
  readonly issues: string[];
  constructor(kind: "invalid_token" | "invalid_claims", message: string, issues: string[] = []) {
    super(message);
    this.kind = kind;
    this.issues = issues;
  }
}

const encodeSecret = (secret: string) => {
  const key = new TextEncoder().encode(secret);
  // Fail closed: a short or missing secret would make every token forgeable.
  if (key.byteLength < MIN_SECRET_BYTES) throw new Error("DECISION_SIGNING_SECRET must be at least 32 bytes");
  return key;
};

export async function signDecisionToken(secret: string, input: DecisionInput): Promise<string> {
  const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return new SignJWT({
    decision: input.decision,
    reviewer: input.reviewer,
    ...(input.reason === undefined ? {} : { reason: input.reason }),
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(input.issuer)
    .setSubject(input.taskId)
    .setAudience(DECISION_AUDIENCE)
    .setJti(input.jti ?? crypto.randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + (input.lifetimeSeconds ?? MAX_TOKEN_LIFETIME_SECONDS))
    .sign(encodeSecret(secret));
}

export async function verifyDecisionToken(secret: string, token: string, now = new Date()): Promise<DecisionClaims> {
  const key = encodeSecret(secret);
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ["HS256"],
      audience: DECISION_AUDIENCE,
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: ["iat", "exp", "jti", "sub", "iss"],
      currentDate: now,
    }));
  } catch (error) {
    throw new DecisionTokenError("invalid_token", describeJoseError(error));
  }
  const parsed = DecisionClaimsSchema.safeParse(payload);
  if (!parsed.success) {
    throw new DecisionTokenError(
      "invalid_claims",
      "The decision token's claims are not valid.",
      parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`),
    );
  }
  const claims = parsed.data;
  if (claims.exp - claims.iat > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new DecisionTokenError("invalid_token", "The token may live at most 5 minutes (exp - iat <= 300).");
  }
  if (claims.iat > Math.floor(now.getTime() / 1000) + CLOCK_SKEW_SECONDS) {
    throw new DecisionTokenError("invalid_token", "The token was issued in the future.");
  }
  return claims;
}

/** The decision a verified token carries, as plain input: its sender (iss) is how it came, its jti its idempotency id. */
export const decisionRequestFromClaims = (claims: DecisionClaims): DecisionRequest => ({
  taskId: claims.sub,
  decision: claims.decision,
  reviewer: claims.reviewer,
  reason: claims.reason ?? null,
  via: claims.iss,
  decisionId: claims.jti,
});

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "The token has expired.";
  if (error instanceof errors.JOSEAlgNotAllowed) return "Only HS256 tokens are accepted.";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "The token's signature does not match.";
  if (error instanceof errors.JWTClaimValidationFailed) return `The token's ${error.claim} claim is not valid.`;
  return "The token is not a valid decision token.";
}
