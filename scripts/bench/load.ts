// Load from autocannon: N connections sending one request shape, with a body and path per request, counting outcomes.
import autocannon from "autocannon";

export type LoadOptions = {
  baseUrl: string;
  method: "GET" | "POST";
  /** The path of the i-th request. */
  path: (index: number) => string;
  headers?: Record<string, string>;
  /** The body of the i-th request. */
  body?: (index: number) => Buffer;
  connections: number;
  /** Run for this long, or until `amount` requests are answered. */
  seconds?: number;
  amount?: number;
  /** Sees 2xx bodies (for ids) until it returns false. */
  collect?: (body: string) => boolean;
};

export type LoadResult = {
  ok: number;
  non2xx: number;
  /** Statuses other than 2xx, with their counts: {"500": 3}. */
  statuses: Record<string, number>;
  /** Connection errors, and requests with no answer within TIMEOUT_SECONDS. */
  errors: number;
  seconds: number;
  /** Response times of the 2xx answers, in ms. */
  latencies: number[];
};

export type Load = {
  done: Promise<LoadResult>;
  /** Answers so far: [2xx, everything else, errors included]. */
  progress(): [number, number];
  stop(): void;
};

// A request still unanswered after this counts as a timeout; long enough for a stack under 50 connections.
const TIMEOUT_SECONDS = 30;

export function startLoad(options: LoadOptions): Load {
  let next = 0;
  let ok = 0;
  let failed = 0;
  let collecting = options.collect !== undefined;
  const latencies: number[] = [];
  const { promise, resolve, reject } = Promise.withResolvers<autocannon.Result>();
  const request: autocannon.Request = {
    method: options.method,
    headers: options.headers ?? {},
    setupRequest: (base) => {
      const index = next++;
      return { ...base, path: options.path(index), ...(options.body ? { body: options.body(index) } : {}) };
    },
  };
  if (options.collect) {
    request.onResponse = (status, body) => {
      if (collecting && status >= 200 && status < 300) collecting = options.collect?.(body) ?? false;
    };
  }
  const instance = autocannon(
    {
      url: options.baseUrl,
      connections: options.connections,
      ...(options.amount === undefined ? { duration: options.seconds ?? 10 } : { amount: options.amount }),
      timeout: TIMEOUT_SECONDS,
      requests: [request],
    },
    (error, result) => (error ? reject(error) : resolve(result)),
  );
  instance.on("response", (_client, status, _bytes, responseTime) => {
    if (status >= 200 && status < 300) {
      ok++;
      latencies.push(responseTime);
    } else failed++;
  });
  instance.on("reqError", () => failed++);
  return {
    done: promise.then((result) => ({
      ok,
      non2xx: result.non2xx,
      statuses: Object.fromEntries(
        Object.entries(result.statusCodeStats ?? {}).flatMap(([status, { count }]) =>
          status.startsWith("2") ? [] : [[status, count ?? 0]],
        ),
      ),
      errors: result.errors,
      seconds: result.duration,
      latencies,
    })),
    progress: () => [ok, failed],
    stop: () => instance.stop(),
  };
}
