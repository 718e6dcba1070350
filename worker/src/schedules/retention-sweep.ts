// The cron trigger: deletes what tasks past RETENTION left behind, a batch each run.
import { readSettings } from "../config.ts";
import { sweepRetention } from "../services/retention.ts";

export async function runRetentionSweep(controller: ScheduledController, env: Env): Promise<void> {
  const swept = await sweepRetention(env, readSettings(env), new Date(controller.scheduledTime));
  if (swept > 0) console.log(JSON.stringify({ event: "retention_sweep", swept }));
}
