// What reviewer tooling sees and sends: review items, claims and announcements.
import { z } from "zod";
import { PrescreenSchema } from "./prescreen.ts";
import { ImageFactsSchema, MetadataSchema } from "./task.ts";

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

export const ReviewListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(1000).optional(),
});
