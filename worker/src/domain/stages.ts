// The stages of a review before its deadline: reminders and an escalation, each due once and delivered by reviewer tooling.
import { z } from "zod";
import { type ReviewPolicy, stageDelays } from "./policy.ts";

/** A stage as its gate keeps it: when it is due, whether it was recorded as due, leased and confirmed delivered. */
export type Stage = {
  stage: "reminder" | "escalation";
  /** The reminder's number, from 1; null for the escalation. */
  n: number | null;
  dueAt: number;
  target: string | null;
  recorded: boolean;
  leasedUntil: number;
  confirmedAt: number | null;
};

/** A stage's name in paths and the due index: reminder-1 to reminder-3, or escalation. */
export const StageNameSchema = z.enum(["reminder-1", "reminder-2", "reminder-3", "escalation"]);
export type StageName = z.infer<typeof StageNameSchema>;
// A policy has at most three reminders (policy.ts), numbered from 1, so the name is always one of the four.
export const stageName = (stage: Pick<Stage, "stage" | "n">): StageName =>
  stage.stage === "reminder" ? (`reminder-${stage.n}` as StageName) : "escalation";

/** The policy's stages for a review opened at `openedAt`, in the order they come due. */
export function scheduleStages(policy: ReviewPolicy, openedAt: number): Stage[] {
  const { reminders, escalation } = stageDelays(policy);
  const pending = { recorded: false, leasedUntil: 0, confirmedAt: null };
  const stages: Stage[] = reminders.map((ms, index) => ({
    stage: "reminder",
    n: index + 1,
    dueAt: openedAt + ms,
    target: null,
    ...pending,
  }));
  if (escalation !== undefined) {
    stages.push({ stage: "escalation", n: null, dueAt: openedAt + escalation, target: policy.escalateTo ?? null, ...pending });
  }
  return stages.sort((a, b) => a.dueAt - b.dueAt);
}

export const StageFields = {
  stage: z.enum(["reminder", "escalation"]),
  n: z.number().int().min(1).nullable().meta({ description: "The reminder's number, from 1; null for the escalation." }),
  dueAt: z.iso.datetime(),
  escalateTo: z.string().nullable().meta({ description: "The escalation's target from the policy; null for a reminder." }),
};

export const ReviewStageSchema = z
  .object({
    ...StageFields,
    confirmedAt: z.iso.datetime().nullable().meta({ description: "When its delivery was confirmed; null while it is due." }),
  })
  .meta({ id: "ReviewStage" });
export type ReviewStage = z.infer<typeof ReviewStageSchema>;

/** A stage's public fields, without its delivery. */
export const stageFields = (stage: Stage): Omit<ReviewStage, "confirmedAt"> => ({
  stage: stage.stage,
  n: stage.n,
  dueAt: new Date(stage.dueAt).toISOString(),
  escalateTo: stage.target,
});

export const publicStage = (stage: Stage): ReviewStage => ({
  ...stageFields(stage),
  confirmedAt: stage.confirmedAt === null ? null : new Date(stage.confirmedAt).toISOString(),
});

/** The stages of a review opened at `openedAt` that have come due by `now`: what the review has been waiting through. */
export const stagesDueBy = (policy: ReviewPolicy, openedAt: number, now: number): Stage[] =>
  scheduleStages(policy, openedAt).filter((stage) => stage.dueAt <= now);
