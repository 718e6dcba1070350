// n8n's own packages as a stock n8n 2.41 runs them: the node definitions of n8n-nodes-base and the n8n-workflow it pins,
// from flowCheckHome() (n8n-installed.ts fetches them before the checks load this).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { flowCheckHome } from "../../scripts/install-n8n.ts";

/** A node type's description, as n8n-nodes-base lists it in dist/types/nodes.json: one entry per set of versions. */
export type NodeDescription = {
  name: string;
  displayName: string;
  version: number | number[];
  group: string[];
  properties: unknown[];
  credentials?: { name: string }[];
  [key: string]: unknown;
};

export type FlowNode = {
  id?: string;
  name: string;
  type: string;
  typeVersion: number;
  position: [number, number];
  parameters: Record<string, unknown>;
  credentials?: Record<string, { id: string; name: string }>;
  [key: string]: unknown;
};

export type Connections = Record<string, { main: ({ node: string; type: string; index: number }[] | null)[] }>;

export type Flow = { name: string; nodes: FlowNode[]; connections: Connections; active: boolean; [key: string]: unknown };

const nodesBasePackage = join(flowCheckHome(), "n8n-nodes-base/package.json");
// The n8n-workflow that n8n-nodes-base itself resolves, so the definitions and the helpers are of one release. Its CommonJS
// build is loaded on purpose: the ESM build uses extensionless imports that only bundlers resolve.
const fromNodesBase = createRequire(nodesBasePackage);

// n8n-workflow ships no types this project compiles against; the test uses a handful of its functions.
export const n8nWorkflow = fromNodesBase("n8n-workflow") as any;
// The expression parser of n8n's default (legacy) expression engine.
export const Tournament = createRequire(fromNodesBase.resolve("n8n-workflow"))("@n8n/tournament").Tournament as any;

export const nodesBaseVersion: string = JSON.parse(readFileSync(nodesBasePackage, "utf8")).version;
export const n8nWorkflowVersion: string = JSON.parse(readFileSync(fromNodesBase.resolve("n8n-workflow/package.json"), "utf8")).version;

const definitions: NodeDescription[] = JSON.parse(readFileSync(fromNodesBase.resolve("./dist/types/nodes.json"), "utf8"));

const PREFIX = "n8n-nodes-base.";
const versionsOf = (description: NodeDescription) => [description.version].flat();

/** The definition of a node type at one typeVersion, or undefined when n8n-nodes-base has no such node or version. */
export function nodeDefinition(type: string, typeVersion: number): NodeDescription | undefined {
  if (!type.startsWith(PREFIX)) return undefined;
  const name = type.slice(PREFIX.length);
  return definitions.find((description) => description.name === name && versionsOf(description).includes(typeVersion));
}

/** An INodeTypes over the definitions, as n8n-workflow's Workflow wants it. */
export const nodeTypes = {
  getByName(type: string) {
    const name = type.slice(PREFIX.length);
    const candidates = definitions.filter((description) => description.name === name);
    const latest = Math.max(...candidates.flatMap(versionsOf));
    return this.getByNameAndVersion(type, latest);
  },
  getByNameAndVersion(type: string, version?: number) {
    const description = version === undefined ? undefined : nodeDefinition(type, version);
    if (!description) throw new Error(`n8n-nodes-base ${nodesBaseVersion} has no ${type} at version ${version}`);
    return { description: { ...description, version } };
  },
  getKnownTypes() {
    return {};
  },
};
