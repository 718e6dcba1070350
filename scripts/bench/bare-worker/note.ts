// The bare Worker's Durable Object: one small synchronous write per upload, optionally with an alarm (a deadline).
import { DurableObject } from "cloudflare:workers";

// It reads no bindings, so it names no Env: env.ts names this class, and naming BareEnv here would close a circle.
export class Note extends DurableObject<unknown> {
  open(deadline: number): void {
    this.ctx.storage.kv.put("note", { deadline, state: "pending" });
  }

  async openWithAlarm(deadline: number): Promise<void> {
    this.ctx.storage.kv.put("note", { deadline, state: "pending" });
    await this.ctx.storage.setAlarm(deadline);
  }

  // Deadlines lie a day ahead, past the end of any bench run; the handler only has to exist.
  override async alarm(): Promise<void> {}
}
