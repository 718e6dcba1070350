// The METRICS Durable Object namespace: one instance, by name, for the whole queue.
import type { HourlyPoint, Metrics } from "../domain/metrics.ts";
import type { QueueMetrics, ReviewEvent } from "../objects/queue-metrics.ts";

const metrics = (env: Pick<Env, "METRICS">): DurableObjectStub<QueueMetrics> => env.METRICS.get(env.METRICS.idFromName("queue"));

// RPC results are typed as disposable; these wrappers give callers the plain values.
export const recordReviewEvent = async (env: Pick<Env, "METRICS">, event: ReviewEvent, now: number): Promise<void> => {
  await metrics(env).record(event, now);
};

export const readMetrics = async (env: Pick<Env, "METRICS">, now: number): Promise<Metrics> => metrics(env).read(now);

export const readHourly = async (env: Pick<Env, "METRICS">, now: number, hours: number): Promise<HourlyPoint[]> =>
  metrics(env).hourly(now, hours);
