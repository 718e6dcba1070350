// Failed client-key and reviewer-token attempts are throttled per source, through the real AUTH_FAILURES binding.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, CLIENT_KEY, ORIGIN, postImage, REVIEWER_TOKEN } from "./support/api.ts";

// wrangler.toml: AUTH_FAILURES allows 10 failures a source in 60 s.
const BUDGET = 10;
const PERIOD_MS = 60_000;
const UNKNOWN_TASK = "/v1/tasks/tsk_00000000000000000000000000000000";
const REVIEW_OF_UNKNOWN_TASK = "/v1/reviews/tsk_00000000000000000000000000000000";

const THROTTLED = {
  error: {
    code: "too_many_auth_failures",
    message: "Too many failed authentication attempts from this address. Try again in 60 seconds.",
    details: { retryAfterSeconds: 60 },
  },
};

// Addresses unique to this run: the binding's counters outlive a run in watch mode, so a rerun gets fresh sources.
const RUN = Math.floor(Math.random() * 0x10000);
const ipv4 = (host: number) => `10.${RUN >> 8}.${RUN & 0xff}.${host}`;
const ipv6 = (subnet: number, interfaceId: string) => `2001:db8:${RUN.toString(16)}:${subnet}:${interfaceId}`;

const from = (source: string, token?: string): Record<string, string> => ({
  "cf-connecting-ip": source,
  ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
});
const asClientFrom = (source: string, key: string) => api(UNKNOWN_TASK, { headers: from(source, key) });
const asReviewerFrom = (source: string, token: string) => api(REVIEW_OF_UNKNOWN_TASK, { headers: from(source, token) });
const storedTaskKeys = async () => (await env.TASKS.list({ prefix: "task:" })).keys.length;

async function expectUnauthorized(response: Response) {
  expect(response.status).toBe(401);
  expect(await response.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
}

async function expectThrottled(response: Response) {
  expect(response.status).toBe(429);
  expect(response.headers.get("retry-after")).toBe("60");
  expect(await response.json()).toEqual(THROTTLED);
}

/** Spends the source's whole budget with wrong client keys, each answered 401. */
async function spendBudget(source: string) {
  for (let attempt = 0; attempt < BUDGET; attempt++) await expectUnauthorized(await asClientFrom(source, "wrong-key"));
}

// Miniflare counts in windows aligned to the clock (floor(now / period)); a burst crossing a boundary would be split
// over two windows and never reach the budget. Each test starts its burst with at least 15 s left in the window.
beforeEach(async () => {
  const left = PERIOD_MS - (Date.now() % PERIOD_MS);
  if (left < 15_000) await scheduler.wait(left + 100);
}, 20_000);

afterEach(() => {
  vi.restoreAllMocks();
});

describe("throttling failed authentication per source", () => {
  it("answers 429 too_many_auth_failures with Retry-After after 10 wrong client keys from one source", async () => {
    await spendBudget(ipv4(1));
    await expectThrottled(await asClientFrom(ipv4(1), "wrong-key"));
  });

  it("leaves other sources alone", async () => {
    await spendBudget(ipv4(2));
    await expectUnauthorized(await asClientFrom(ipv4(3), "wrong-key"));
    expect((await asClientFrom(ipv4(3), CLIENT_KEY)).status).toBe(404);
  });

  it("throttles wrong reviewer tokens the same way", async () => {
    for (let attempt = 0; attempt < BUDGET; attempt++) await expectUnauthorized(await asReviewerFrom(ipv4(4), "wrong-token"));
    await expectThrottled(await asReviewerFrom(ipv4(4), "wrong-token"));
  });

  it("counts wrong client keys and wrong reviewer tokens from one source against one budget", async () => {
    for (let attempt = 0; attempt < BUDGET / 2; attempt++) {
      await expectUnauthorized(await asClientFrom(ipv4(5), "wrong-key"));
      await expectUnauthorized(await asReviewerFrom(ipv4(5), "wrong-token"));
    }
    await expectThrottled(await asReviewerFrom(ipv4(5), "wrong-token"));
  });

  it("refuses the right client key and reviewer token from a throttled source too, and stores nothing", async () => {
    await spendBudget(ipv4(6));
    await expectThrottled(await asClientFrom(ipv4(6), "wrong-key"));
    const before = await storedTaskKeys();

    // Were the right credential let through, 429 would mean "wrong" and 200 "right": guessing would not slow down.
    const upload = await postImage({ headers: from(ipv4(6), CLIENT_KEY) });
    expect(upload.status).toBe(429);
    const body = (await upload.json()) as typeof THROTTLED;
    expect(body).toEqual({
      error: { ...THROTTLED.error, message: expect.any(String), details: { retryAfterSeconds: expect.any(Number) } },
    });
    expect(body.error.details.retryAfterSeconds).toBeGreaterThan(0);
    expect(body.error.details.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(upload.headers.get("retry-after")).toBe(String(body.error.details.retryAfterSeconds));
    expect(await storedTaskKeys()).toBe(before);

    const review = await asReviewerFrom(ipv4(6), REVIEWER_TOKEN);
    expect(review.status).toBe(429);
    expect(((await review.json()) as typeof THROTTLED).error.code).toBe("too_many_auth_failures");
  });

  it("counts neither requests without a bearer token (no header, another scheme, no token) nor right credentials", async () => {
    for (let attempt = 0; attempt < 2 * BUDGET; attempt++) {
      await expectUnauthorized(await api(UNKNOWN_TASK, { headers: from(ipv4(7)) }));
      await expectUnauthorized(await api(UNKNOWN_TASK, { headers: { ...from(ipv4(7)), authorization: "Basic ZGVtbzprZXk=" } }));
      await expectUnauthorized(await api(REVIEW_OF_UNKNOWN_TASK, { headers: { ...from(ipv4(7)), authorization: "Bearer" } }));
      expect((await asClientFrom(ipv4(7), CLIENT_KEY)).status).toBe(404);
      expect((await asReviewerFrom(ipv4(7), REVIEWER_TOKEN)).status).toBe(404);
    }
    await spendBudget(ipv4(7));
    await expectThrottled(await asClientFrom(ipv4(7), "wrong-key"));
  });

  it("counts no credential of a rotation pair: a client's previous key, the next reviewer token", async () => {
    // vitest.config.ts lists demo's keys and the reviewer tokens newest first; these are the halves other tests do not use.
    for (let attempt = 0; attempt < 2 * BUDGET; attempt++) {
      expect((await asClientFrom(ipv4(9), "dev-client-key-previous")).status).toBe(404);
      expect((await asReviewerFrom(ipv4(9), "dev-reviewer-token-next")).status).toBe(404);
    }
    await spendBudget(ipv4(9));
    await expectThrottled(await asClientFrom(ipv4(9), "wrong-key"));
    await expectThrottled(await asReviewerFrom(ipv4(9), "dev-reviewer-token-next"));
  });

  it("counts an IPv6 source per /64, and an IPv4-mapped address as its IPv4 address", async () => {
    for (let host = 1; host <= BUDGET; host++) await expectUnauthorized(await asClientFrom(ipv6(1, `0:0:0:${host}`), "wrong-key"));
    await expectThrottled(await asClientFrom(ipv6(1, "ffff:ffff:ffff:ffff"), "wrong-key"));
    await expectUnauthorized(await asClientFrom(ipv6(2, "0:0:0:1"), "wrong-key"));

    await spendBudget(ipv4(8));
    await expectThrottled(await asClientFrom(`::ffff:${ipv4(8)}`, "wrong-key"));
  });

  it("counts requests with no usable source address as one source", async () => {
    // Answered at the edge, so these two spend none of the budget that other files' address-less wrong keys share.
    const limit = vi.spyOn(env.AUTH_FAILURES, "limit").mockResolvedValue({ success: true });
    await expectUnauthorized(await api(UNKNOWN_TASK, { headers: { authorization: "Bearer wrong-key" } }));
    await expectUnauthorized(await asClientFrom("not-an-address", "wrong-key"));
    expect(limit).toHaveBeenCalledTimes(2);
    expect(limit.mock.calls[1]).toEqual(limit.mock.calls[0]);
  });
});

describe("the console's sign-in", () => {
  const signIn = (source: string, token: string, name = "Mallory") =>
    api("/console/sign-in", {
      method: "POST",
      redirect: "manual",
      headers: { "cf-connecting-ip": source, origin: ORIGIN },
      body: new URLSearchParams({ token, name }),
    });

  it("counts wrong reviewer tokens against the same budget, then refuses even the right one with an HTML 429", async () => {
    for (let attempt = 0; attempt < BUDGET; attempt++) expect((await signIn(ipv4(40), "wrong-token")).status).toBe(401);
    const throttled = await signIn(ipv4(40), "wrong-token");
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("60");
    expect(await throttled.text()).toContain(THROTTLED.error.message);
    const refused = await signIn(ipv4(40), REVIEWER_TOKEN);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("set-cookie")).toBeNull();
    expect(await env.CONSOLE_SESSIONS.get(env.CONSOLE_SESSIONS.idFromName("console")).list(Date.now())).not.toContainEqual(
      expect.objectContaining({ name: "Mallory" }),
    );
    await expectThrottled(await asReviewerFrom(ipv4(40), REVIEWER_TOKEN));
  });

  it("does not count a blank token field", async () => {
    for (let attempt = 0; attempt < 2 * BUDGET; attempt++) expect((await signIn(ipv4(41), "")).status).toBe(401);
    expect((await signIn(ipv4(41), REVIEWER_TOKEN, "Eve")).status).toBe(303);
  });
});
