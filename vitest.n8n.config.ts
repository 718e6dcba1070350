// The real-n8n test (npm run test:n8n): slow and heavy, so it is not part of npm test; CI runs both.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "n8n",
    include: ["test/n8n/**/*.test.ts"],
    environment: "node",
    testTimeout: 90_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
