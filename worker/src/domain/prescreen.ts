// What a reviewer can know before deciding: cheap facts read from the pixels and near-duplicates of earlier uploads.
import { z } from "zod";
import { TagSchema } from "./tag.ts";

export const NearDuplicateSchema = z.object({
  taskId: z.string(),
  distance: z.number().int().min(0).max(64).meta({ description: "Differing bits of the two 64-bit perceptual hashes." }),
});
export type NearDuplicate = z.infer<typeof NearDuplicateSchema>;

export const PrescreenSchema = z
  .object({
    facts: z.array(TagSchema).meta({ description: "Format, orientation and dominant colours, best first." }),
    perceptualHash: z
      .string()
      .regex(/^[0-9a-f]{16}$/)
      .nullable(),
    nearDuplicates: z.array(NearDuplicateSchema).meta({ description: "Earlier uploads that look the same, closest first." }),
    unreadable: z.string().nullable().meta({ description: "Why the pixels could not be read (too large, corrupt); null when they were." }),
  })
  .meta({ id: "Prescreen" });
export type Prescreen = z.infer<typeof PrescreenSchema>;

// A reviewer needs a hint, not a list: the closest few are enough to go and look.
export const MAX_NEAR_DUPLICATES = 5;
