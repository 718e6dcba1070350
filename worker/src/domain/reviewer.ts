// Who decided: the reviewer as every sender names them (a Slack user, a console name), shared by tasks and policies.
import { z } from "zod";

export const ReviewerSchema = z.object({
  id: z.string().min(1).max(200),
  name: z.string().min(1).max(200),
});
export type Reviewer = z.infer<typeof ReviewerSchema>;
