// Creates OpenAPI-aware routers whose validation failures all become the contract's 400 envelope.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env.ts";
import { ErrorBodySchema } from "./domain/error-body.ts";
import { invalidRequest } from "./errors.ts";

export const createRouter = () =>
  new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw invalidRequest("The request is not valid.", {
          issues: result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
        });
      }
    },
  });

/** The `{id}` of every task path. */
export const TaskIdParams = z.object({
  id: z.string().meta({ param: { name: "id", in: "path" }, example: "tsk_0123456789abcdef0123456789abcdef" }),
});

/** OpenAPI response entries for the error codes a route can answer, keyed by status. */
export function errorResponses(errors: Partial<Record<400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429, string[]>>) {
  return Object.fromEntries(
    Object.entries(errors).map(([status, codes]) => [
      status,
      { description: `Error codes: ${codes.join(", ")}`, content: { "application/json": { schema: ErrorBodySchema } } },
    ]),
  );
}
