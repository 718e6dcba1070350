// What POST /v1/reviews/due hands out: a due stage with where its task was announced, so a reminder can reply in its thread.
import { z } from "zod";
import { AnnouncementSchema } from "./review.ts";
import { StageFields } from "./stages.ts";

export const DueRequestSchema = z.object({ limit: z.number().int().min(1).max(100) });

export const DueStageSchema = z
  .object({
    taskId: z.string(),
    ...StageFields,
    announcement: AnnouncementSchema.nullable().meta({
      description: "Where the task was posted for reviewers, so a reminder can go in its thread; null if it never was.",
    }),
  })
  .meta({ id: "DueStage" });
export type DueStage = z.infer<typeof DueStageSchema>;
