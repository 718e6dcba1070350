// Durations in settings ("24 hours", "90 seconds"), the same phrases Workflows accept.

const UNIT_MS: Record<string, number> = {
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};

/** Parses "<number> <unit>[s]" into milliseconds; throws on anything else so a bad setting fails loudly. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(millisecond|second|minute|hour|day|week)s?\s*$/i.exec(text);
  const unit = match?.[2]?.toLowerCase();
  if (!match || !unit) throw new Error(`Not a duration: "${text}" (try "24 hours" or "90 seconds")`);
  const ms = Number(match[1]) * (UNIT_MS[unit] ?? 0);
  if (ms <= 0) throw new Error(`A duration must be positive: "${text}"`);
  return ms;
}
