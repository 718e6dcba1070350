// The PRESCREENS queue: one message per task whose image waits for its pre-screen.
export type PrescreenJob = { taskId: string };

export async function requestPrescreen(queue: Queue<PrescreenJob>, taskId: string): Promise<void> {
  await queue.send({ taskId });
}
