// The bare Worker's Workflow: one step that does nothing, so each upload on the Workflow route creates a real instance.
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import type { BareEnv } from "./env.ts";

export class NoopWorkflow extends WorkflowEntrypoint<BareEnv, { id: string }> {
  override async run(event: WorkflowEvent<{ id: string }>, step: WorkflowStep): Promise<void> {
    await step.do("noted", async () => event.payload.id);
  }
}
