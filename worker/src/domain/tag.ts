// A tag on an image: a label, how sure, and what produced it.
import { z } from "zod";

export const TagSchema = z
  .object({
    label: z.string(),
    score: z.number().min(0).max(1),
    source: z.string().meta({ description: "What produced the tag: the model or the fact it comes from." }),
    count: z.number().int().positive().optional().meta({ description: "How many were seen, for objects and faces." }),
  })
  .meta({ id: "Tag" });
export type Tag = z.infer<typeof TagSchema>;
