// The public keys that verify decision receipts, as a JWK Set (RFC 7517) where verifiers look for one.
import { createRoute, z } from "@hono/zod-openapi";
import { ReceiptKeySetSchema, ReceiptSchema } from "../domain/receipt.ts";
import { createRouter } from "../router.ts";

// Verifiers cache the set: five minutes bounds how long one can miss a key added to it (see docs/api.md, rotation).
const CACHE_CONTROL = "public, max-age=300";

const jwks = createRoute({
  method: "get",
  path: "/.well-known/jwks.json",
  summary: "The public keys that verify decision receipts",
  responses: {
    200: {
      description: "Every published receipt key, public halves only, the signing key first.",
      headers: z.object({ "Cache-Control": z.string() }),
      content: { "application/json": { schema: ReceiptKeySetSchema } },
    },
  },
});

export const wellKnown = createRouter().openapi(jwks, (c) =>
  c.json({ keys: c.var.settings.receiptKeys.published }, 200, { "Cache-Control": CACHE_CONTROL }),
);

// No endpoint answers a receipt's payload, yet clients read it once verified: the document names its shape for them.
wellKnown.openAPIRegistry.register("Receipt", ReceiptSchema);
