// Runs a real n8n for tests: its CLI for imports and executions, and its server for webhooks, in a private folder.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { freePort, LOOPBACK } from "../../scripts/lib/ports.ts";
import { type StartedProcess, startProcess } from "../../scripts/lib/start-process.ts";
import { n8nBin } from "../../scripts/install-n8n.ts";

const READY_MS = 120_000;
const STOP_MS = 15_000;

export type N8n = {
  baseUrl: string;
  /** Runs an n8n CLI command against the same database and answers its exit code and output. */
  cli(args: string[]): Promise<{ code: number | null; output: string }>;
  importJson(kind: "credentials" | "workflow", data: unknown): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  output: string[];
};

export async function createN8n(): Promise<N8n> {
  const bin = n8nBin();
  if (!existsSync(bin)) throw new Error(`n8n is not installed at ${bin}: run npm run test:n8n (it installs n8n first)`);
  const folder = mkdtempSync(join(tmpdir(), "greenlight-n8n-"));
  const port = await freePort();
  const baseUrl = `http://${LOOPBACK}:${port}`;
  const output: string[] = [];
  // vitest sets NODE_ENV=test and its own variables, which n8n would read as its own test mode: unset here.
  const vitestVariables = Object.fromEntries(
    Object.keys(process.env)
      .filter((name) => /^(VITEST|TEST$)/.test(name))
      .map((name) => [name, undefined]),
  );
  const env = {
    ...vitestVariables,
    NODE_ENV: "production",
    // n8n starts its Code-node runner as plain `node`: it must be Node 24, the one running this test.
    PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
    N8N_USER_FOLDER: folder,
    N8N_PORT: String(port),
    N8N_LISTEN_ADDRESS: LOOPBACK,
    N8N_HOST: LOOPBACK,
    WEBHOOK_URL: `${baseUrl}/`,
    N8N_ENCRYPTION_KEY: "greenlight-n8n-test-encryption-key",
    N8N_DIAGNOSTICS_ENABLED: "false",
    N8N_VERSION_NOTIFICATIONS_ENABLED: "false",
    N8N_TEMPLATES_ENABLED: "false",
    N8N_COMMUNITY_PACKAGES_ENABLED: "false",
    N8N_PERSONALIZATION_ENABLED: "false",
    N8N_SECURE_COOKIE: "false",
    N8N_RUNNERS_BROKER_PORT: String(await freePort()),
    N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL ?? "warn",
  };
  let server: StartedProcess<true> | undefined;
  let counter = 0;

  const run = async (args: string[]) => {
    // Each CLI process runs its own task broker, which must not collide with the server's.
    const cliEnv = { ...env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
    return new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...cliEnv }, stdio: ["ignore", "pipe", "pipe"] });
      let text = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      child.on("exit", (code) => {
        output.push(`$ n8n ${args.join(" ")} -> ${code}`, ...text.split("\n").filter(Boolean));
        resolve({ code, output: text });
      });
    });
  };

  return {
    baseUrl,
    output,
    cli: run,
    async importJson(kind, data) {
      const file = join(folder, `import-${++counter}.json`);
      writeFileSync(file, JSON.stringify(data));
      const result = await run([`import:${kind}`, `--input=${file}`]);
      if (result.code !== 0) throw new Error(`n8n import:${kind} failed:\n${result.output}`);
    },
    async start() {
      server = startProcess({
        what: "n8n",
        command: process.execPath,
        args: [bin, "start"],
        env,
        // Its own group: n8n starts a task runner for Code nodes, which must go when it goes.
        group: true,
        // /healthz answers before workflows are activated; readiness waits for the database and webhooks.
        ready: async () => ((await fetch(`${baseUrl}/healthz/readiness`)).ok ? true : undefined),
        readyTimeoutMs: READY_MS,
        intervalMs: 500,
        stopTimeoutMs: STOP_MS,
        output,
      });
      await server.ready;
    },
    async stop() {
      try {
        await server?.stop();
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  };
}
