// Usage: node scripts/receipt-key.ts [kid]
// Prints a fresh Ed25519 private JWK for RECEIPT_SIGNING_KEYS, with `kid` (default: today's date and a random suffix).
import { exportJWK, generateKeyPair } from "jose";
import { ReceiptSigningJwkSchema } from "../worker/src/domain/receipt.ts";

const kid = process.argv[2] ?? `receipts-${new Date().toISOString().slice(0, 10)}-${crypto.randomUUID().slice(0, 8)}`;
const { privateKey } = await generateKeyPair("Ed25519", { extractable: true });
const { kty, crv, x, d } = await exportJWK(privateKey);
// Read as the Worker reads the setting, so a kid it would refuse fails here rather than after a deploy.
console.log(JSON.stringify(ReceiptSigningJwkSchema.parse({ kty, crv, kid, x, d })));
console.error("Put it first in RECEIPT_SIGNING_KEYS, before the keys it replaces (see docs/api.md, Decision receipts).");
