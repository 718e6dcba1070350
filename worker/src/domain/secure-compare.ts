// Constant-time comparison of secrets, and the lists that hold several during a rotation; portable across workerd and Node.

/** Hashing first makes both sides 32 bytes, so neither length nor content leaks through timing. */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  const left = new Uint8Array(a);
  const right = new Uint8Array(b);
  let difference = 0;
  for (let index = 0; index < left.length; index++) difference |= (left[index] ?? 0) ^ (right[index] ?? 0);
  return difference === 0;
}

/** Every candidate is compared, so the time taken does not reveal which one (if any) matched. */
export async function matchesAnySecret(given: string, candidates: readonly string[]): Promise<boolean> {
  const results = await Promise.all(candidates.map((candidate) => secretsEqual(given, candidate)));
  return results.includes(true);
}

/**
 * The secrets in a setting that may hold several while one is rotated, newest first. They are separated by spaces, as
 * Standard Webhooks separates several signatures in one header; no bearer token or `whsec_` secret contains one.
 */
export function secretList(value: string | undefined): string[] {
  return (value ?? "").split(/\s+/).filter((secret) => secret !== "");
}
