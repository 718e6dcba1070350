// Test projects: the Worker inside workerd (real KV, R2, Durable Objects, Workflows); the embedded tagger, the n8n
// flows (static checks), the Slack app and end-to-end runs in Node. The real-n8n run has its own config.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            // Workers AI is remote-only; tests spy on env.AI at the edge instead of asking for an account.
            remoteBindings: false,
            miniflare: {
              bindings: {
                // Mid-rotation, newest first: demo's previous key and the previous reviewer token are still valid, so
                // every test runs against lists, and worker/test/rotation.test.ts uses the other half of each pair.
                CLIENT_KEYS: JSON.stringify({ demo: ["dev-client-key", "dev-client-key-previous"], other: "dev-other-key" }),
                REVIEWER_TOKEN: "dev-reviewer-token-next dev-reviewer-token",
                DECISION_SIGNING_SECRET: "dev-decision-secret-0123456789abcdef",
                CALLBACK_SIGNING_SECRET: "whsec_ZGV2LWNhbGxiYWNrLXNlY3JldC0wMTIzNDU2Nzg5",
                // The key of .dev.vars.example signs; the one it replaced stays published by its public half alone.
                RECEIPT_SIGNING_KEYS: JSON.stringify([
                  {
                    kty: "OKP",
                    crv: "Ed25519",
                    kid: "dev-receipts",
                    x: "y5IxX9rGJR3FozVgHcNykCWoXIpo8wYc3Fc-SRwyp4w",
                    d: "D7n7tmrjPQy18rNmOGPsqM-a_e62xOG_NBjR0RJxTLA",
                  },
                  {
                    kty: "OKP",
                    crv: "Ed25519",
                    kid: "dev-receipts-previous",
                    x: "N6NWfCSdnbWHNbiryZgYGp_gJyaBJN53rSQRuGhwxaA",
                  },
                ]),
                ALLOW_LOOPBACK_CALLBACKS: "true",
                TAGGER: "embedded",
                LOCAL_TAGGER_URL: inject("taggerUrl"),
                MAX_UPLOAD_BYTES: String(64 * 1024),
              },
            },
          })),
        ],
        test: {
          name: "worker",
          include: ["worker/test/**/*.test.ts", "packages/client/test/worker/*.test.ts"],
          globalSetup: ["worker/test/support/callback-receiver.ts", "worker/test/support/local-tagger.ts"],
        },
      },
      {
        test: {
          name: "tagger",
          include: ["worker/local-tagger/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "n8n-flows",
          include: ["n8n-flows/test/**/*.test.ts"],
          environment: "node",
          // n8n-nodes-base's node definitions and its n8n-workflow, fetched once outside the repository (scripts/install-n8n.ts),
          // not from the root install.
          globalSetup: ["n8n-flows/test/n8n-installed.ts"],
        },
      },
      {
        test: {
          name: "slack-app",
          include: ["test/slack/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts", "packages/client/test/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The review console in a headless Chromium or Chrome (playwright-core) against the local stack; skipped on a
        // machine with neither (test/browser/find-chromium.ts).
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
