// The query of every paged list: how many items, and where the previous page ended.
import { z } from "zod";

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(1000).optional(),
});
