// One scenario's world: a fresh state dir, its stack as real processes (started, SIGKILLed, stopped, started again on
// the same state), a callback receiver behind a front that can fail, the suite's clients, and what they all counted.
import { basename } from "node:path";
import type { CallbackReceiver } from "../lib/callback-receiver.ts";
import type { Credentials } from "../lib/greenlight-client.ts";
import { type ProcessInfo, processGroup } from "../lib/proc.ts";
import { type Stack, startStack } from "../lib/stack.ts";
import { waitFor } from "../lib/wait.ts";
import type { ReceiverFront } from "./receiver-front.ts";
import { Tally } from "./tally.ts";
import { Traffic } from "./traffic.ts";

export type Scenario = {
  name: string;
  /** What it does, for the progress log. */
  summary: string;
  /** Settings for the stack's environment, such as REVIEW_TIMEOUT. */
  env?: Record<string, string>;
  run(world: World): Promise<void>;
};

export type WorldOptions = {
  name: string;
  quick: boolean;
  stateDir: string;
  env: Record<string, string>;
  receiver: CallbackReceiver;
  front: ReceiverFront;
  credentials: Credentials;
  decisionSecret: string;
  log: (line: string) => void;
};

// SIGKILL is delivered at once, but the kernel takes a moment to tear a group down; a new stack waits for that.
const GROUP_GONE_MS = 10_000;

export class World {
  readonly name: string;
  readonly quick: boolean;
  readonly tally = new Tally();
  readonly receiver: CallbackReceiver;
  readonly front: ReceiverFront;
  readonly traffic: Traffic;
  readonly log: (line: string) => void;
  /** When the last fault ended: the settle period counts from here (or from the end of the run, if it had none). */
  lastFaultAt: number | undefined;
  /** Everything each stack printed, one list per start, for a failed scenario's log. */
  readonly outputs: string[][] = [];
  private readonly stateDir: string;
  private readonly env: Record<string, string>;
  private stack: Stack | undefined;
  // Clients wait on this while the stack is down, and send to the new one once it is up.
  private up = Promise.withResolvers<Stack>();

  constructor(options: WorldOptions) {
    this.name = options.name;
    this.quick = options.quick;
    this.stateDir = options.stateDir;
    this.env = options.env;
    this.receiver = options.receiver;
    this.front = options.front;
    this.log = options.log;
    this.traffic = new Traffic(this, this.tally, options.credentials, options.decisionSecret);
    this.up.promise.catch(() => undefined);
  }

  /** The stack that is up, awaited while it is down. */
  current(): Promise<Stack> {
    return this.up.promise;
  }

  /** Starts the stack on this world's state dir (again, after a kill or a stop: the state is kept). */
  async start(): Promise<Stack> {
    const started = Date.now();
    try {
      this.stack = await startStack(this.stateDir, this.env);
    } catch (error) {
      this.up.reject(error);
      throw error;
    }
    this.outputs.push(this.stack.output);
    this.log(`stack up on port ${this.stack.port} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    this.up.resolve(this.stack);
    return this.stack;
  }

  /** kill -9 of the whole stack (start.ts, wrangler, workerd, the tagger), logged with what was killed. */
  async kill(when: string): Promise<void> {
    const stack = this.takeDown();
    const members = processGroup(stack.child.pid ?? 0);
    stack.kill();
    this.fault(
      `kill -9 of the stack ${when}: ${members
        .filter(alive)
        .map((member) => `${describe(member, stack.port)} ${member.pid}`)
        .join(", ")}`,
    );
    await waitFor(`the killed stack's processes to end`, () => (processGroup(stack.child.pid ?? 0).some(alive) ? undefined : true), {
      timeoutMs: GROUP_GONE_MS,
    });
  }

  /** SIGTERM to the stack, as Ctrl+C would; resolves once it has exited. */
  async stop(when: string): Promise<void> {
    const code = await this.takeDown().stop();
    this.fault(`stopped the stack with SIGTERM ${when} (exit code ${code})`);
  }

  /** Stops the stack for good at the end of the scenario (SIGTERM, then SIGKILL for whatever is left). */
  async shutDown(): Promise<void> {
    if (!this.stack) return;
    const stack = this.takeDown();
    await stack.stop().catch(() => stack.kill());
  }

  /** Notes a fault: the settle period counts from the last one. */
  fault(what: string): void {
    this.lastFaultAt = Date.now();
    this.log(what);
  }

  /** A callback URL for one task, through the front, named so its deliveries can be told apart. */
  callbackUrl(label: string | number): string {
    return `${this.front.url}/faults/${this.name}/${label}`;
  }

  /** The running stack's processes: what each is, its pid, its resident memory and open files now. */
  processes(): { name: string; pid: number; rssMb: number; openFds: number }[] {
    const stack = this.stack;
    if (!stack) return [];
    return processGroup(stack.child.pid ?? 0)
      .filter(alive)
      .map((member) => ({ name: describe(member, stack.port), pid: member.pid, rssMb: member.rssMb, openFds: member.openFds }));
  }

  private takeDown(): Stack {
    const stack = this.stack;
    if (!stack) throw new Error(`${this.name}: no stack is running`);
    this.stack = undefined;
    this.up = Promise.withResolvers<Stack>();
    this.up.promise.catch(() => undefined);
    return stack;
  }
}

// A zombie, or a process caught exiting, has no command line any more.
const alive = (member: ProcessInfo) => member.argv.length > 0;

/** "workerd", "workerd proxy", "tagger", "wrangler", "start.ts": the kernel's name says only "MainThread" for Node 24. */
function describe(member: ProcessInfo, port: number): string {
  // wrangler runs two workerd: a proxy on the stack's port, and the one that runs the Worker behind it.
  if (member.name === "workerd") return member.argv.some((arg) => arg.includes(`:${port}`)) ? "workerd proxy" : "workerd";
  const script = member.argv.slice(1).find((arg) => /\.[cm]?[jt]s$/.test(arg));
  if (!script) return member.name;
  return script.includes("local-tagger") ? "tagger" : script.includes("wrangler") ? "wrangler" : basename(script);
}
