// What one fault scenario counts: the tasks it got accepted and the state each must reach, 5xx answers, and the
// failures that fit no column; then its outcome, the row the suite prints and judges.

/** Where an accepted task must end: a final status with its callback delivered, or still pending and listed. */
export type Expected = "pending" | "completed" | "rejected" | "expired";

export class Tally {
  /** Every accepted task id (202), with the state it must reach. */
  readonly expected = new Map<string, Expected>();
  serverErrors = 0;
  /** Checks that fail the scenario outside the columns: a late decision that won, a second task for one key. */
  readonly failures: string[] = [];
  readonly notes: string[] = [];
  private readonly serverErrorKinds = new Map<string, number>();

  accept(taskId: string, expected: Expected): void {
    this.expected.set(taskId, expected);
  }

  /** Counts a 5xx seen by any of the suite's clients: "POST /v1/tasks answered 500". */
  answered(what: string, status: number): void {
    if (status < 500) return;
    this.serverErrors++;
    const kind = `${what} answered ${status}`;
    this.serverErrorKinds.set(kind, (this.serverErrorKinds.get(kind) ?? 0) + 1);
  }

  /** The 5xx answers by request and status, for the notes. */
  serverErrorSummary(): string[] {
    return [...this.serverErrorKinds].map(([kind, count]) => `${count} x ${kind}`);
  }
}

export type Outcome = {
  scenario: string;
  accepted: number;
  lost: number;
  stuck: number;
  /** Webhook-ids beyond the first for one task's final event: a second event where there must be one. */
  distinctIdDuplicates: number;
  /** Deliveries of a webhook-id the receiver already had: allowed by Standard Webhooks, reported. */
  sameIdRepeats: number;
  serverErrors: number;
  ms: number;
  failures: string[];
  notes: string[];
};

export const passed = (outcome: Outcome) =>
  outcome.lost === 0 &&
  outcome.stuck === 0 &&
  outcome.distinctIdDuplicates === 0 &&
  outcome.serverErrors === 0 &&
  outcome.failures.length === 0;

export function verdict(outcome: Outcome): string {
  if (passed(outcome)) return "pass";
  const reasons = [
    outcome.lost && `${outcome.lost} lost`,
    outcome.stuck && `${outcome.stuck} stuck`,
    outcome.distinctIdDuplicates && `${outcome.distinctIdDuplicates} duplicate ids`,
    outcome.serverErrors && `${outcome.serverErrors} 5xx`,
    outcome.failures.length && `${outcome.failures.length} other`,
  ].filter(Boolean);
  return `FAIL (${reasons.join(", ")})`;
}
