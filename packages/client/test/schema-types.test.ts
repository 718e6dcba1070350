// The committed types are what openapi-typescript makes of the committed document today: CI fails when either moved alone.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { renderSchemaTypes, SCHEMA_TYPES } from "../scripts/generate-types.ts";

it("src/schema.d.ts is generated from openapi.json (npm run client:generate rewrites both)", async () => {
  expect(readFileSync(SCHEMA_TYPES, "utf8")).toBe(await renderSchemaTypes());
});
