// The PRESCREENS queue: one message per task whose image waits for its pre-screen.
export type PrescreenJob = { taskId: string };

export async function requestPrescreen(env: Pick<Env, "PRESCREENS">, taskId: string): Promise<void> {
  await env.PRESCREENS.send({ taskId } satisfies PrescreenJob);
}
