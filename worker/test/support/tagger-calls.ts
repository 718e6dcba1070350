// Watches the Worker's calls to the embedded tagger, and can answer the first few itself as the tagger would fail.
import { vi } from "vitest";

const FAILURES: Record<number, { code: string; message: string }> = {
  503: { code: "busy", message: "16 images are already waiting; try again shortly" },
  415: { code: "unsupported_image", message: "The image cannot be decoded" },
};

/** Counts the calls to /tag; the first ones are answered with `statuses` (503 busy, 415 unreadable). Disposing restores fetch. */
export function taggerCalls(statuses: readonly (keyof typeof FAILURES)[] = []) {
  const realFetch = globalThis.fetch;
  const calls = { count: 0, [Symbol.dispose]: () => spy.mockRestore() };
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const status = url.pathname === "/tag" ? statuses[calls.count++] : undefined;
    if (status !== undefined) return Response.json({ error: FAILURES[status] }, { status });
    return realFetch(input, init);
  });
  return calls;
}
