// Human-readable durations and times for the console's pages.

export function duration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 1) return "less than a minute";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}

export const age = (iso: string, now: number) => `${duration(now - Date.parse(iso))} ago`;

export function timeLeft(deadline: string, now: number): string {
  const left = Date.parse(deadline) - now;
  return left > 0 ? `${duration(left)} left` : "deadline passed";
}

/** A UTC timestamp without milliseconds, e.g. 2026-11-22 04:38:26 UTC. */
export const when = (iso: string) => `${iso.slice(0, 19).replace("T", " ")} UTC`;
