/// <reference types="vite/client" />
// The endpoint tables of docs/api.md and the README against /openapi.json, both ways: the same operations, statuses and
// error codes.
import { describe, expect, it } from "vitest";
// Inside workerd there is no filesystem: Vite inlines the markdown as a string when this module is transformed.
import apiDoc from "../../docs/api.md?raw";
import readme from "../../README.md?raw";
import { api } from "./support/api.ts";

/** One operation's answers: statuses, and error codes as "409 already_decided". */
type Answers = { success: string[]; errors: string[]; errorCodes: string[] };

// The document describes every endpoint but the one that serves it.
const SELF = "GET /openapi.json";

/** The table rows under `heading` (up to the next heading), keyed "METHOD /path/{param}" as OpenAPI spells paths. */
function documentedOperations(markdown: string, heading: string): Map<string, Answers> {
  const section = markdown.split(/^#+ /m).find((part) => part.startsWith(`${heading}\n`));
  if (!section) throw new Error(`no "${heading}" section`);
  const operations = new Map<string, Answers>();
  for (const line of section.split("\n").filter((row) => row.startsWith("| `"))) {
    const [, endpoint = "", , success = "", errors = ""] = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
    const match = /^`(GET|POST|PUT|PATCH|DELETE) ([^`?\s]+)/.exec(endpoint);
    if (!match) throw new Error(`cannot read the endpoint of ${line}`);
    const pairs = [...errors.matchAll(/\b([45]\d\d) `([a-z_]+)`/g)].map(([, status, code]) => `${status} ${code}`);
    operations.set(`${match[1]} ${match[2]!.replace(/:(\w+)/g, "{$1}")}`, {
      success: unique([...success.matchAll(/\b[23]\d\d\b/g)].map(([status]) => status)),
      errors: unique(pairs.map((pair) => pair.split(" ")[0]!)),
      errorCodes: unique(pairs),
    });
  }
  return operations;
}

type Document = { paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>> };

/** Every operation of /openapi.json; an error response's codes come from its "Error codes: a (note), b" description. */
async function describedOperations(): Promise<Map<string, Answers>> {
  const response = await api("/openapi.json");
  expect(response.status).toBe(200);
  const document = (await response.json()) as Document;
  const operations = new Map<string, Answers>();
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, { responses }] of Object.entries(methods)) {
      const statuses = Object.keys(responses);
      const errors = statuses.filter((status) => /^[45]/.test(status));
      const errorCodes = errors.flatMap((status) =>
        responses[status]!.description.replace(/^Error codes: /, "")
          .replace(/\s*\([^)]*\)/g, "")
          .split(", ")
          .map((code) => `${status} ${code}`),
      );
      for (const entry of errorCodes) expect(entry, `${method.toUpperCase()} ${path}`).toMatch(/^\d{3} [a-z_]+$/);
      operations.set(`${method.toUpperCase()} ${path}`, {
        success: unique(statuses.filter((status) => /^[23]/.test(status))),
        errors: unique(errors),
        errorCodes: unique(errorCodes),
      });
    }
  }
  return operations;
}

const unique = (values: string[]) => [...new Set(values)].sort();

describe.each([
  { file: "docs/api.md", markdown: apiDoc, heading: "Endpoints" },
  { file: "README.md", markdown: readme, heading: "API" },
])("the endpoint table of $file", ({ markdown, heading }) => {
  it("documents exactly the operations /openapi.json describes, and /openapi.json itself", async () => {
    const described = [...(await describedOperations()).keys(), SELF].sort();
    expect([...documentedOperations(markdown, heading).keys()].sort()).toEqual(described);
  });

  it("gives each operation the success and error statuses of its OpenAPI responses", async () => {
    const documented = documentedOperations(markdown, heading);
    for (const [operation, answers] of await describedOperations()) {
      const row = documented.get(operation);
      expect([row?.success, row?.errors], operation).toEqual([answers.success, answers.errors]);
    }
  });

  it("names exactly the error codes that an operation's OpenAPI responses list", async () => {
    const documented = documentedOperations(markdown, heading);
    for (const [operation, answers] of await describedOperations()) {
      expect([...(documented.get(operation)?.errorCodes ?? [])].sort(), operation).toEqual([...answers.errorCodes].sort());
    }
  });
});
