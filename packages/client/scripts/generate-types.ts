// Usage: node packages/client/scripts/generate-types.ts (run by `npm run client:generate`, after the document is rewritten).
// Writes src/schema.d.ts from the committed openapi.json; the freshness test renders it the same way and compares.
import { writeFileSync } from "node:fs";
import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript";
import ts from "typescript";

export const DOCUMENT = new URL("../openapi.json", import.meta.url);
export const SCHEMA_TYPES = new URL("../src/schema.d.ts", import.meta.url);

// openapi-typescript types `format: binary` as string by default; an upload sends a Blob (its documented transform).
const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier("Blob"));

/** The TypeScript types for the document at `document`, exactly as they are committed. */
export async function renderSchemaTypes(document: URL = DOCUMENT): Promise<string> {
  const ast = await openapiTS(document, { transform: (schema) => (schema.format === "binary" ? BLOB : undefined) });
  return COMMENT_HEADER + astToString(ast);
}

if (import.meta.main) {
  writeFileSync(SCHEMA_TYPES, await renderSchemaTypes());
  console.log(`Wrote ${SCHEMA_TYPES.pathname}`);
}
