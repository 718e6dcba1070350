// What reviewer tooling sees and sends: review items, claims and announcements.
import { z } from "zod";
import { PrescreenSchema } from "./prescreen.ts";
import { DecisionSchema, ImageFactsSchema, MetadataSchema, TaskStatusSchema } from "./task.ts";

export const ReviewItemSchema = z
  .object({
    taskId: z.string(),
    createdAt: z.iso.datetime(),
    reviewDeadline: z.iso.datetime(),
    client: z.string(),
    metadata: MetadataSchema,
    image: ImageFactsSchema.omit({ sha256: true }).extend({
      previewUrl: z.url().meta({ description: "Signed, expiring URL that needs no other credentials." }),
    }),
    prescreen: PrescreenSchema.nullable(),
  })
  .meta({ id: "ReviewItem" });
export type ReviewItem = z.infer<typeof ReviewItemSchema>;

export const ClaimRequestSchema = z.object({ limit: z.number().int().min(1).max(100) });

export const AnnouncementSchema = z.object({
  channel: z.string().min(1).max(200),
  messageTs: z.string().min(1).max(100),
});
export type Announcement = z.infer<typeof AnnouncementSchema>;

/** How a review stands, for tooling that keeps its own messages honest after a task leaves the queue. */
export const ReviewStatusSchema = z
  .object({
    taskId: z.string(),
    status: TaskStatusSchema,
    reviewDeadline: z.iso.datetime(),
    decision: DecisionSchema.nullable(),
    announcement: AnnouncementSchema.nullable(),
  })
  .meta({ id: "ReviewStatus" });
export type ReviewStatus = z.infer<typeof ReviewStatusSchema>;
