// JSON text read against a schema: text that is not JSON is refused like a value the schema refuses, never thrown.
import { z } from "zod";

/** A schema for text holding JSON that `schema` accepts: `jsonText(S).safeParse(text)`. */
export const jsonText = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        ctx.issues.push({ code: "invalid_format", format: "json", input: text, message: "Not JSON text." });
        return z.NEVER;
      }
    })
    .pipe(schema);
