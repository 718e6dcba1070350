// The PRESCREENS consumer: runs each task's pre-screen job, and retries a failed one later with a growing delay.
import { z } from "zod";
import { TASK_ID_PATTERN } from "../domain/task.ts";
import { runPrescreenJob } from "../services/prescreen.ts";

// wrangler.toml's max_retries for the queue, plus the first delivery.
export const PRESCREEN_ATTEMPTS = 4;

const PrescreenJobSchema = z.object({ taskId: z.string().regex(TASK_ID_PATTERN) });

export async function consumePrescreens(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      const job = PrescreenJobSchema.safeParse(message.body);
      if (!job.success) {
        // Only this Worker sends to the queue; a message it cannot read will not read better on a retry.
        console.error(JSON.stringify({ event: "prescreen_job_unreadable", id: message.id }));
        return message.ack();
      }
      try {
        await runPrescreenJob(env, job.data.taskId, message.attempts >= PRESCREEN_ATTEMPTS, new Date());
        message.ack();
      } catch (error) {
        console.error(
          JSON.stringify({ event: "prescreen_failed", taskId: job.data.taskId, attempt: message.attempts, error: String(error) }),
        );
        message.retry({ delaySeconds: 2 ** message.attempts });
      }
    }),
  );
}
