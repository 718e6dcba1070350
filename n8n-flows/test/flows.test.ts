// Static checks of the exported n8n flows with n8n's own packages: structure, node definitions, expressions, hygiene.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { approvalsCount } from "../../test/slack/expected-blocks.ts";
import { FLOW_CREDENTIALS } from "./credentials.ts";
import { type Flow, type FlowNode, n8nWorkflow, nodeDefinition, nodesBaseVersion, nodeTypes, Tournament } from "./n8n-packages.ts";

const FOLDER = join(import.meta.dirname, "..");
const FLOW_FILES = readdirSync(FOLDER)
  .filter((file) => file.endsWith(".workflow.json"))
  .sort();
const read = (file: string) => readFileSync(join(FOLDER, file), "utf8");
const load = (file: string): Flow => JSON.parse(read(file));
const byName = (flow: Flow, name: string): FlowNode => {
  const node = flow.nodes.find((candidate) => candidate.name === name);
  if (!node) throw new Error(`${flow.name} has no node "${name}"`);
  return node;
};

const POLLER = "review-poller.workflow.json";
const DECISION = "slack-decision.workflow.json";
// The ids `n8n import:workflow --input=<file>` needs (n8n 2.41 refuses a single-file import without one); re-importing updates.
const FLOW_IDS: Record<string, { id: string; name: string }> = {
  [POLLER]: { id: "GreenlightPoll01", name: "Greenlight: review poller" },
  [DECISION]: { id: "GreenlightSlack1", name: "Greenlight: Slack decision" },
  "expired-messages.workflow.json": { id: "GreenlightExpir1", name: "Greenlight: expired messages" },
};
const TRIGGER_TYPES = new Set(["n8n-nodes-base.scheduleTrigger", "n8n-nodes-base.manualTrigger", "n8n-nodes-base.webhook"]);

/** Every string in a value, with its path. */
function* strings(value: unknown, path = ""): Generator<[string, string]> {
  if (typeof value === "string") yield [path, value];
  else if (Array.isArray(value)) for (const [index, entry] of value.entries()) yield* strings(entry, `${path}[${index}]`);
  else if (value && typeof value === "object")
    for (const [key, entry] of Object.entries(value)) yield* strings(entry, path ? `${path}.${key}` : key);
}

/** Paths present in `given` but missing from what n8n resolves for the node: misspelled or not displayed parameters. */
function droppedParameters(given: Record<string, unknown>, resolved: Record<string, unknown> | null, path = ""): string[] {
  return Object.entries(given).flatMap(([key, value]) => {
    if (!resolved || !(key in resolved)) return [`${path}${key}`];
    const inner = resolved[key];
    return value && typeof value === "object" && !Array.isArray(value) && inner && typeof inner === "object"
      ? droppedParameters(value as Record<string, unknown>, inner as Record<string, unknown>, `${path}${key}.`)
      : [];
  });
}

/** Evaluates one node's parameter as n8n would for an item, with Config's values as that node's output. */
function evaluate(flow: Flow, nodeName: string, parameter: unknown, item: Record<string, unknown>, config: Record<string, unknown>) {
  const workflow = new n8nWorkflow.Workflow({ nodes: flow.nodes, connections: flow.connections, active: false, nodeTypes });
  const run = n8nWorkflow.createRunExecutionData({
    resultData: {
      runData: { Config: [{ startTime: 0, executionTime: 0, executionIndex: 0, source: [], data: { main: [[{ json: config }]] } }] },
    },
  });
  return workflow.expression.getParameterValue(parameter, run, 0, 0, nodeName, [{ json: item }], "manual", {});
}

/**
 * Evaluates one node's parameter for an item that reached it along `path` (the nodes before it, oldest first, each with
 * the item it passed on and through which output), so `$('<node>').item` resolves as in a real execution.
 */
function evaluateAfter(
  flow: Flow,
  nodeName: string,
  parameter: unknown,
  item: Record<string, unknown>,
  path: { node: string; json?: Record<string, unknown>; output?: number }[],
) {
  const workflow = new n8nWorkflow.Workflow({ nodes: flow.nodes, connections: flow.connections, active: false, nodeTypes });
  const paired = (json: Record<string, unknown>) => ({ json, pairedItem: { item: 0 } });
  const source = (index: number) =>
    index === 0 ? [] : [{ previousNode: path[index - 1]!.node, previousNodeOutput: path[index - 1]!.output ?? 0, previousNodeRun: 0 }];
  const runData = Object.fromEntries(
    path.map((step, index) => {
      const main = Array.from({ length: (step.output ?? 0) + 1 }, () => [paired(step.json ?? {})]);
      return [step.node, [{ startTime: 0, executionTime: 0, executionIndex: index, source: source(index), data: { main } }]];
    }),
  );
  const run = n8nWorkflow.createRunExecutionData({ resultData: { runData } });
  const executeData = { node: byName(flow, nodeName), data: { main: [[paired(item)]] }, source: { main: source(path.length) } };
  return workflow.expression.getParameterValue(parameter, run, 0, 0, nodeName, [paired(item)], "manual", {}, executeData);
}

const assignmentsOf = (flow: Flow, nodeName: string, item: Record<string, unknown>, config: Record<string, unknown> = {}) => {
  const node = byName(flow, nodeName);
  const { assignments } = evaluate(flow, nodeName, node.parameters.assignments, item, config) as {
    assignments: { name: string; value: unknown }[];
  };
  return Object.fromEntries(assignments.map(({ name, value }) => [name, value]));
};

describe.each(FLOW_FILES)("%s", (file) => {
  const text = read(file);
  const flow = load(file);

  it("passes n8n's workflow structure check and builds as an n8n Workflow", () => {
    const result = n8nWorkflow.safeParseWorkflowStructure(flow);
    expect(result.success ? [] : result.issues).toEqual([]);
    const workflow = new n8nWorkflow.Workflow({ nodes: flow.nodes, connections: flow.connections, active: false, nodeTypes });
    expect(Object.keys(workflow.nodes)).toHaveLength(flow.nodes.length);
  });

  it("is inactive, with its documented id and name, and no pinData, instance id, tags or execution data", () => {
    expect(Object.keys(flow).sort()).toEqual(["active", "connections", "id", "name", "nodes", "settings"]);
    expect({ id: flow.id, name: flow.name }).toEqual(FLOW_IDS[file]);
    expect(flow.active).toBe(false);
    expect(flow.settings).toEqual({ executionOrder: "v1" });
    for (const node of flow.nodes) {
      expect(
        Object.keys(node).filter(
          (key) =>
            !["id", "name", "type", "typeVersion", "position", "parameters", "credentials", "notes", "onError", "webhookId"].includes(key),
        ),
        node.name,
      ).toEqual([]);
    }
  });

  it(`uses only n8n-nodes-base nodes, each pinned to a typeVersion that n8n-nodes-base ${nodesBaseVersion} defines`, () => {
    for (const node of flow.nodes) {
      expect(typeof node.typeVersion, node.name).toBe("number");
      expect(nodeDefinition(node.type, node.typeVersion), `${node.name}: ${node.type}@${node.typeVersion}`).toBeDefined();
    }
    expect(new Set(flow.nodes.map((node) => node.name)).size).toBe(flow.nodes.length);
  });

  it("gives every node parameters its definition accepts: none missing, none misspelled or hidden", () => {
    for (const node of flow.nodes) {
      const definition = nodeDefinition(node.type, node.typeVersion)!;
      const issues = n8nWorkflow.NodeHelpers.getNodeParametersIssues(definition.properties, node, definition);
      expect(issues, node.name).toBeNull();
      const resolved = n8nWorkflow.NodeHelpers.getNodeParameters(definition.properties, node.parameters, true, false, node, definition);
      expect(droppedParameters(node.parameters, resolved), node.name).toEqual([]);
    }
  });

  it("writes only expressions that n8n's expression parser accepts", () => {
    const expressions = flow.nodes.flatMap((node) =>
      [...strings(node.parameters)]
        .filter(([, value]) => value.startsWith("=") && value.includes("{{"))
        .map(([path, value]) => ({ where: `${node.name}: ${path}`, value })),
    );
    expect(expressions.length).toBeGreaterThan(0);
    for (const { where, value } of expressions) {
      const chunks = n8nWorkflow.ExpressionParser.splitExpression(value.slice(1)) as { type: string; hasClosingBrackets?: boolean }[];
      expect(
        chunks.filter((chunk) => chunk.type === "code" && !chunk.hasClosingBrackets),
        `${where}: unclosed {{`,
      ).toEqual([]);
      expect(() => new Tournament(() => {}).getExpressionCode(value.slice(1)), where).not.toThrow();
    }
  });

  it("connects only real nodes, and reaches every node from a trigger", () => {
    const names = new Set(flow.nodes.map((node) => node.name));
    const next = new Map<string, string[]>();
    for (const [source, outputs] of Object.entries(flow.connections)) {
      expect(names.has(source), source).toBe(true);
      expect(Object.keys(outputs)).toEqual(["main"]);
      for (const target of outputs.main.flat()) {
        expect(names.has(target!.node), `${source} -> ${target!.node}`).toBe(true);
        expect(target).toMatchObject({ type: "main", index: 0 });
        next.set(source, [...(next.get(source) ?? []), target!.node]);
      }
    }
    const reached = new Set(flow.nodes.filter((node) => TRIGGER_TYPES.has(node.type)).map((node) => node.name));
    for (const name of reached) for (const target of next.get(name) ?? []) reached.add(target);
    expect([...names].filter((name) => !reached.has(name))).toEqual([]);
  });

  it("starts with Config right after its triggers, and takes URLs from Config only", () => {
    const triggers = flow.nodes.filter((node) => TRIGGER_TYPES.has(node.type));
    expect(triggers.length).toBeGreaterThan(0);
    for (const trigger of triggers) expect(flow.connections[trigger.name]?.main).toEqual([[{ node: "Config", type: "main", index: 0 }]]);
    const config = byName(flow, "Config");
    expect([config.type, config.typeVersion]).toEqual(["n8n-nodes-base.set", 3.4]);
    for (const node of flow.nodes.filter((candidate) => candidate.type === "n8n-nodes-base.httpRequest")) {
      expect(node.parameters.url, node.name).toMatch(/^=\{\{ \$\('Config'\)\.first\(\)\.json\.(greenlightUrl|slackApiUrl) \}\}/);
    }
  });

  it("names credentials by id, name and type only, as n8nCredentials() creates them", () => {
    const known = Object.values(FLOW_CREDENTIALS);
    for (const node of flow.nodes) {
      const definition = nodeDefinition(node.type, node.typeVersion)!;
      for (const [type, reference] of Object.entries(node.credentials ?? {})) {
        expect(reference, node.name).toEqual({ id: expect.any(String), name: expect.any(String) });
        expect(known, node.name).toContainEqual({ ...reference, type });
        const declared = (definition.credentials ?? []).map((credential) => credential.name);
        if (node.type === "n8n-nodes-base.httpRequest") expect(node.parameters.genericAuthType, node.name).toBe(type);
        else expect(declared, node.name).toContain(type);
      }
    }
  });

  it("holds no secrets: no tokens, keys, long hex or base64 strings, or literal Authorization values", () => {
    for (const pattern of [
      /xox[abpr]-/i,
      /whsec_/,
      /dev-(decision|reviewer|client)-/,
      /-----BEGIN/,
      /\b[0-9a-f]{32,}\b/i,
      /[A-Za-z0-9+/]{40,}={0,2}/,
    ]) {
      expect(text, String(pattern)).not.toMatch(pattern);
    }
    for (const [path, value] of strings(flow.nodes)) {
      if (/^Bearer /i.test(value)) throw new Error(`${path} holds a literal bearer token`);
    }
  });
});

describe("the review poller", () => {
  const flow = load(POLLER);
  const config = {
    greenlightUrl: "http://127.0.0.1:8787",
    slackApiUrl: "https://slack.com/api/",
    slackChannel: "#greenlight-reviews",
    claimLimit: 10,
  };
  const reviewItem = (overrides: Record<string, unknown> = {}) => ({
    taskId: `tsk_${"a".repeat(32)}`,
    createdAt: "2026-11-22T03:00:00.000Z",
    reviewDeadline: "2026-11-23T03:00:00.000Z",
    client: "demo",
    metadata: { order: 42 },
    image: {
      contentType: "image/png",
      bytes: 1234,
      width: 48,
      height: 32,
      previewUrl: "https://greenlight.example/v1/images/tsk_x?expires=1&sig=abc",
    },
    prescreen: {
      facts: [
        { label: "png", score: 1, source: "format" },
        { label: "blue", score: 0.9, source: "colour" },
      ],
      perceptualHash: "0123456789abcdef",
      nearDuplicates: [{ taskId: `tsk_${"b".repeat(32)}`, distance: 2 }],
      unreadable: null,
    },
    ...overrides,
  });
  const built = (item: Record<string, unknown>) =>
    assignmentsOf(flow, "Build Slack message", item) as {
      taskId: string;
      reviewDeadline: string;
      message: { text: string; blocks: Record<string, any>[] };
    };
  const message = (item: Record<string, unknown>) => {
    const { taskId, message } = built(item);
    return { taskId, ...message };
  };
  // What a client could write in its metadata to make Slack ping, link or format.
  const HOSTILE = "``` <!channel> <https://evil.example|click> *bold* @here";
  /** Every mrkdwn string in blocks: the only block text Slack parses for formatting, mentions and links. */
  const mrkdwnTexts = (value: unknown): string[] => {
    if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
    if (!value || typeof value !== "object") return [];
    const object = value as Record<string, unknown>;
    return [
      ...(object.type === "mrkdwn" && typeof object.text === "string" ? [object.text] : []),
      ...Object.values(object).flatMap(mrkdwnTexts),
    ];
  };

  it("keeps the editable settings in Config, with their defaults", () => {
    const { assignments } = byName(flow, "Config").parameters.assignments as {
      assignments: { name: string; type: string; value: unknown }[];
    };
    expect(assignments.map(({ name, type, value }) => ({ name, type, value }))).toEqual([
      { name: "greenlightUrl", type: "string", value: "http://127.0.0.1:8787" },
      { name: "slackApiUrl", type: "string", value: "https://slack.com/api/" },
      { name: "slackChannel", type: "string", value: "#greenlight-reviews" },
      { name: "claimLimit", type: "number", value: 10 },
    ]);
  });

  it("runs every minute and by hand, then claims with the reviewer token and the configured limit", () => {
    expect(byName(flow, "Every minute").parameters.rule).toEqual({ interval: [{ field: "minutes", minutesInterval: 1 }] });
    expect(byName(flow, "Run now").type).toBe("n8n-nodes-base.manualTrigger");
    const claim = byName(flow, "Claim reviews");
    expect(claim.credentials).toEqual({ httpHeaderAuth: { id: "greenlight-reviewer-token", name: "Greenlight reviewer token" } });
    expect(evaluate(flow, claim.name, claim.parameters.url, {}, config)).toBe("http://127.0.0.1:8787/v1/reviews/claim");
    expect(JSON.parse(evaluate(flow, claim.name, claim.parameters.jsonBody, {}, { ...config, claimLimit: 7 }))).toEqual({ limit: 7 });
    expect(byName(flow, "One item per task").parameters.fieldToSplitOut).toBe("items");
  });

  it("builds a message with the image, client, task, size, dimensions, metadata, deadline, pre-screen and both buttons", () => {
    const { taskId, text, blocks } = message(reviewItem());
    expect(taskId).toBe(`tsk_${"a".repeat(32)}`);
    expect(text).toContain(taskId);
    expect(blocks.find((block) => block.type === "image")).toMatchObject({
      image_url: "https://greenlight.example/v1/images/tsk_x?expires=1&sig=abc",
    });
    const all = JSON.stringify(blocks);
    for (const fact of [
      "demo",
      taskId,
      "1234 bytes",
      "48 × 32",
      '{\\"order\\":42}',
      "2026-11-23T03:00:00.000Z",
      "png, blue",
      `tsk_${"b".repeat(32)}\` (distance 2)`,
    ]) {
      expect(all).toContain(fact);
    }
    expect(all).not.toContain("Unreadable");
    expect(blocks.at(-1)).toEqual({
      type: "actions",
      block_id: "greenlight_decision",
      elements: [
        expect.objectContaining({ type: "button", action_id: "greenlight_approve", style: "primary", value: taskId }),
        expect.objectContaining({
          type: "button",
          action_id: "greenlight_reject",
          style: "danger",
          value: taskId,
          confirm: expect.objectContaining({
            title: expect.any(Object),
            text: expect.any(Object),
            confirm: expect.any(Object),
            deny: expect.any(Object),
          }),
        }),
      ],
    });
  });

  it("says so when the pre-screen is missing or could not read the pixels", () => {
    expect(JSON.stringify(message(reviewItem({ prescreen: null })).blocks)).toContain("*Pre-screen facts:* not available");
    const unreadable = message(
      reviewItem({ prescreen: { facts: [], perceptualHash: null, nearDuplicates: [], unreadable: "too large to decode" } }),
    );
    const all = JSON.stringify(unreadable.blocks);
    expect(all).toContain("*Pre-screen facts:* none");
    expect(unreadable.blocks.find((block) => block.block_id === "greenlight_prescreen_unreadable")).toEqual({
      type: "rich_text",
      block_id: "greenlight_prescreen_unreadable",
      elements: [
        {
          type: "rich_text_section",
          elements: [
            { type: "text", text: "Unreadable: ", style: { bold: true } },
            { type: "text", text: "too large to decode" },
          ],
        },
      ],
    });
    expect(all).not.toContain("Near-duplicates");
  });

  it("shows hostile client metadata verbatim in a rich text code block it cannot close, and nowhere in mrkdwn", () => {
    const metadata = { note: `${HOSTILE} & more`, "<@U0BOSS>": "_x_ ~y~ `z`" };
    const { blocks } = message(reviewItem({ metadata }));
    expect(blocks.find((block) => block.block_id === "greenlight_metadata")).toEqual({
      type: "rich_text",
      block_id: "greenlight_metadata",
      elements: [
        { type: "rich_text_section", elements: [{ type: "text", text: "Metadata:", style: { bold: true } }] },
        {
          type: "rich_text_preformatted",
          elements: [
            { type: "text", text: '{"note":"``` <!channel> <https://evil.example|click> *bold* @here & more","<@U0BOSS>":"_x_ ~y~ `z`"}' },
          ],
        },
      ],
    });
    const mrkdwn = mrkdwnTexts(blocks).join("\n");
    for (const fragment of ["```", "<!channel>", "<https://evil.example|click>", "*bold*", "@here", "<@U0BOSS>", "_x_"])
      expect(mrkdwn).not.toContain(fragment);
  });

  it("shows a hostile reason for unreadable pixels literally, and escapes a client id in the notification text", () => {
    const { text, blocks } = message(
      reviewItem({
        client: "<!channel>",
        prescreen: { facts: [], perceptualHash: null, nearDuplicates: [], unreadable: `Length mismatch while decoding chunk ${HOSTILE}` },
      }),
    );
    expect(text).toBe(`Review requested: image tsk_${"a".repeat(32)} from &lt;!channel&gt;`);
    expect(blocks.find((block) => block.block_id === "greenlight_prescreen_unreadable")).toEqual({
      type: "rich_text",
      block_id: "greenlight_prescreen_unreadable",
      elements: [
        {
          type: "rich_text_section",
          elements: [
            { type: "text", text: "Unreadable: ", style: { bold: true } },
            { type: "text", text: `Length mismatch while decoding chunk ${HOSTILE}` },
          ],
        },
      ],
    });
    const mrkdwn = mrkdwnTexts(blocks).join("\n");
    for (const fragment of ["```", "<!channel>", "<https://evil.example|click>", "*bold*", "@here"]) expect(mrkdwn).not.toContain(fragment);
    expect(mrkdwn).toContain("*Client:* &lt;!channel&gt;");
  });

  it("posts to the configured channel, and confirms the announcement only when Slack answered ok", () => {
    const slack = byName(flow, "Post to Slack");
    expect(slack.credentials).toEqual({ httpHeaderAuth: { id: "slack-bot-token", name: "Slack bot token" } });
    expect(evaluate(flow, slack.name, slack.parameters.url, {}, config)).toBe("https://slack.com/api/chat.postMessage");
    const posted = built(reviewItem());
    const body = JSON.parse(evaluate(flow, slack.name, slack.parameters.jsonBody, posted, config));
    expect(body).toMatchObject({ channel: "#greenlight-reviews", text: expect.stringContaining("tsk_"), blocks: expect.any(Array) });
    expect(body).toMatchObject({ text: posted.message.text, blocks: posted.message.blocks });
    expect(flow.connections["Post to Slack"]?.main).toEqual([[{ node: "Slack accepted?", type: "main", index: 0 }]]);
    expect(flow.connections["Slack accepted?"]?.main[0]).toEqual([{ node: "Confirm announcement", type: "main", index: 0 }]);
    const confirm = byName(flow, "Confirm announcement");
    expect(confirm.parameters.url).toBe(
      "={{ $('Config').first().json.greenlightUrl }}/v1/reviews/{{ $('Build Slack message').item.json.taskId }}/announcement",
    );
    expect(
      JSON.parse(
        evaluate(flow, confirm.name, confirm.parameters.jsonBody, { ok: true, channel: "C0123", ts: "1700000000.000100" }, config),
      ),
    ).toEqual({
      channel: "C0123",
      messageTs: "1700000000.000100",
    });
  });

  describe("reminders and escalations", () => {
    const taskId = `tsk_${"e".repeat(32)}`;
    const announcement = { channel: "C0REVIEWS", messageTs: "1700000000.000100" };
    const waiting = `task ${taskId} is still waiting for review.`;
    const dueStage = (overrides: Record<string, unknown> = {}) => ({
      taskId,
      stage: "reminder",
      n: 1,
      dueAt: "2026-11-22T05:00:00.000Z",
      escalateTo: null,
      announcement,
      ...overrides,
    });
    const escalation = (escalateTo: string, overrides: Record<string, unknown> = {}) =>
      dueStage({ stage: "escalation", n: null, escalateTo, ...overrides });
    /** The stage as Read stage passes it on: the due stage with its confirm name and user group. */
    const read = (stage: Record<string, unknown>) => ({ ...stage, ...assignmentsOf(flow, "Read stage", stage) });
    const build = (stage: Record<string, unknown>) =>
      assignmentsOf(flow, "Build stage message", read(stage), config) as { post: Record<string, unknown>; linkTo: unknown };

    it("takes due stages after the claim branch, with the reviewer token and the configured limit", () => {
      // n8n (executionOrder v1) runs a node's branches top to bottom: tasks are announced before their stages are taken.
      expect(flow.connections.Config?.main).toEqual([
        [
          { node: "Claim reviews", type: "main", index: 0 },
          { node: "Claim due stages", type: "main", index: 0 },
        ],
      ]);
      expect(byName(flow, "Claim due stages").position[1]).toBeGreaterThan(byName(flow, "Claim reviews").position[1]);
      const due = byName(flow, "Claim due stages");
      expect(due.credentials).toEqual({ httpHeaderAuth: { id: "greenlight-reviewer-token", name: "Greenlight reviewer token" } });
      expect(due.parameters.method).toBe("POST");
      expect(evaluate(flow, due.name, due.parameters.url, {}, config)).toBe("http://127.0.0.1:8787/v1/reviews/due");
      expect(JSON.parse(evaluate(flow, due.name, due.parameters.jsonBody, {}, { ...config, claimLimit: 7 }))).toEqual({ limit: 7 });
      expect(byName(flow, "One item per stage").parameters.fieldToSplitOut).toBe("items");
      expect(flow.connections["One item per stage"]?.main).toEqual([[{ node: "Read stage", type: "main", index: 0 }]]);
      expect(flow.connections["Read stage"]?.main).toEqual([[{ node: "Build stage message", type: "main", index: 0 }]]);
    });

    it("names each stage as its confirm URL does, and takes escalateTo as a user group only when it is a user group id", () => {
      const fields = (stage: Record<string, unknown>) => {
        const { stageId, userGroup } = assignmentsOf(flow, "Read stage", stage);
        return { stageId, userGroup };
      };
      expect(fields(dueStage({ n: 3 }))).toEqual({ stageId: "reminder-3", userGroup: "" });
      expect(fields(escalation("S0LEADS"))).toEqual({ stageId: "escalation", userGroup: "S0LEADS" });
      for (const target of ["#leads", "C0LEADS", "U0BOSS", "s0leads", "S0LEADS>", "<!subteam^S0LEADS>", "S0LEADS|x", "S"]) {
        expect(fields(escalation(target)), target).toEqual({ stageId: "escalation", userGroup: "" });
      }
      expect(byName(flow, "Read stage").parameters.includeOtherFields).toBe(true);
    });

    it("replies to a reminder in the review message's thread, or posts it to the review channel when there is none", () => {
      expect(build(dueStage({ n: 2 }))).toEqual({
        post: { channel: "C0REVIEWS", thread_ts: "1700000000.000100", text: `:alarm_clock: Reminder 2: ${waiting}` },
        linkTo: null,
      });
      expect(build(dueStage({ announcement: null }))).toEqual({
        post: { channel: "#greenlight-reviews", text: `:alarm_clock: Reminder 1: ${waiting}` },
        linkTo: null,
      });
    });

    it("escalates to a user group in the thread, broadcast, mentioning it", () => {
      expect(build(escalation("S0LEADS"))).toEqual({
        post: {
          channel: "C0REVIEWS",
          thread_ts: "1700000000.000100",
          reply_broadcast: true,
          text: `:rotating_light: Escalated to <!subteam^S0LEADS>: ${waiting}`,
        },
        linkTo: null,
      });
      expect(build(escalation("S0LEADS", { announcement: null }))).toEqual({
        post: { channel: "#greenlight-reviews", text: `:rotating_light: Escalated to <!subteam^S0LEADS>: ${waiting}` },
        linkTo: null,
      });
    });

    it("escalates to any other escalateTo as the channel only, linking to the review message when there is one", () => {
      expect(build(escalation("#leads"))).toEqual({
        post: { channel: "#leads", text: `:rotating_light: Escalated: ${waiting}` },
        linkTo: announcement,
      });
      expect(build(escalation("U0BOSS", { announcement: null }))).toEqual({
        post: { channel: "U0BOSS", text: `:rotating_light: Escalated: ${waiting}` },
        linkTo: null,
      });
      // The client's text never reaches the mrkdwn.
      const hostile = build(escalation(HOSTILE)).post;
      expect(hostile).toEqual({ channel: HOSTILE, text: `:rotating_light: Escalated: ${waiting}` });
    });

    it("asks Slack for the review message's permalink only for a link, and posts without the link when Slack gives none", () => {
      const condition = (byName(flow, "Link to the review message?").parameters.conditions as { conditions: { leftValue: string }[] })
        .conditions[0]!.leftValue;
      expect(evaluate(flow, "Link to the review message?", condition, build(escalation("#leads")), config)).toBe(true);
      expect(evaluate(flow, "Link to the review message?", condition, build(escalation("S0LEADS")), config)).toBe(false);
      expect(evaluate(flow, "Link to the review message?", condition, build(dueStage()), config)).toBe(false);
      expect(flow.connections["Link to the review message?"]?.main).toEqual([
        [{ node: "Get permalink", type: "main", index: 0 }],
        [{ node: "Post stage", type: "main", index: 0 }],
      ]);

      const permalink = byName(flow, "Get permalink");
      expect(permalink.credentials).toEqual({ httpHeaderAuth: { id: "slack-bot-token", name: "Slack bot token" } });
      expect(permalink.parameters).toMatchObject({ method: "GET", options: { response: { response: { neverError: true } } } });
      expect(evaluate(flow, permalink.name, permalink.parameters.url, {}, config)).toBe("https://slack.com/api/chat.getPermalink");
      const { parameters } = evaluate(flow, permalink.name, permalink.parameters.queryParameters, build(escalation("#leads")), config) as {
        parameters: { name: string; value: unknown }[];
      };
      expect(parameters).toEqual([
        { name: "channel", value: "C0REVIEWS" },
        { name: "message_ts", value: "1700000000.000100" },
      ]);
      expect(flow.connections["Get permalink"]?.main).toEqual([[{ node: "Add link", type: "main", index: 0 }]]);
      expect(flow.connections["Add link"]?.main).toEqual([[{ node: "Post stage", type: "main", index: 0 }]]);

      const built = build(escalation("#leads"));
      const linked = (answer: Record<string, unknown>) => {
        const add = byName(flow, "Add link");
        const { assignments } = evaluateAfter(flow, add.name, add.parameters.assignments, answer, [
          { node: "Build stage message", json: built },
          { node: "Link to the review message?" },
          { node: "Get permalink" },
        ]) as { assignments: { name: string; value: unknown }[] };
        return Object.fromEntries(assignments.map(({ name, value }) => [name, value]));
      };
      const url = "https://greenlight.slack.com/archives/C0REVIEWS/p1700000000000100";
      expect(linked({ ok: true, channel: "C0REVIEWS", permalink: url })).toEqual({
        post: { channel: "#leads", text: `:rotating_light: Escalated: ${waiting} <${url}|Open the review message>` },
      });
      expect(linked({ ok: false, error: "message_not_found" })).toEqual({ post: built.post });
    });

    it("posts each stage, and confirms it to Greenlight only when Slack answered ok", () => {
      const post = byName(flow, "Post stage");
      expect(post.credentials).toEqual({ httpHeaderAuth: { id: "slack-bot-token", name: "Slack bot token" } });
      expect(post.parameters).toMatchObject({ method: "POST", options: { response: { response: { neverError: true } } } });
      expect(post.onError).toBe("continueRegularOutput");
      expect(evaluate(flow, post.name, post.parameters.url, {}, config)).toBe("https://slack.com/api/chat.postMessage");
      const built = build(escalation("S0LEADS"));
      expect(JSON.parse(evaluate(flow, post.name, post.parameters.jsonBody, built, config))).toEqual({
        ...built.post,
        unfurl_links: false,
        unfurl_media: false,
      });
      expect(flow.connections["Post stage"]?.main).toEqual([[{ node: "Slack posted the stage?", type: "main", index: 0 }]]);
      const accepted = (byName(flow, "Slack posted the stage?").parameters.conditions as { conditions: { leftValue: string }[] })
        .conditions[0]!.leftValue;
      expect(evaluate(flow, "Slack posted the stage?", accepted, { ok: true, channel: "C0REVIEWS", ts: "1.2" }, config)).toBe(true);
      expect(evaluate(flow, "Slack posted the stage?", accepted, { ok: false, error: "channel_not_found" }, config)).toBe(false);
      expect(flow.connections["Slack posted the stage?"]?.main).toEqual([
        [{ node: "Confirm stage", type: "main", index: 0 }],
        [{ node: "Not posted: handed out again after the lease", type: "main", index: 0 }],
      ]);

      const confirm = byName(flow, "Confirm stage");
      expect(confirm.credentials).toEqual({ httpHeaderAuth: { id: "greenlight-reviewer-token", name: "Greenlight reviewer token" } });
      expect(confirm.parameters.method).toBe("POST");
      // No body: n8n's Workflow fills in the parameter's default (false) once an expression was evaluated.
      expect(confirm.parameters.sendBody ?? false).toBe(false);
      const confirmUrl = (stage: Record<string, unknown>) =>
        evaluateAfter(flow, confirm.name, confirm.parameters.url, { ok: true }, [
          { node: "Config", json: config },
          { node: "Read stage", json: read(stage) },
          { node: "Build stage message", json: build(stage) },
          { node: "Link to the review message?", output: 1 },
          { node: "Post stage" },
          { node: "Slack posted the stage?" },
        ]);
      expect(confirmUrl(dueStage({ n: 2 }))).toBe(`http://127.0.0.1:8787/v1/reviews/${taskId}/stages/reminder-2/confirm`);
      expect(confirmUrl(escalation("S0LEADS"))).toBe(`http://127.0.0.1:8787/v1/reviews/${taskId}/stages/escalation/confirm`);
    });
  });
});

describe("the Slack decision flow", () => {
  const flow = load(DECISION);
  const taskId = `tsk_${"c".repeat(32)}`;
  const payload = (overrides: Record<string, unknown> = {}) => ({
    type: "block_actions",
    user: { id: "U0ADA", username: "ada", name: "ada" },
    container: { type: "message", message_ts: "1700000000.000100", channel_id: "C0REVIEWS" },
    channel: { id: "C0REVIEWS" },
    message: {
      ts: "1700000000.000100",
      blocks: [
        { type: "section", block_id: "a", text: { type: "mrkdwn", text: "*Task:* x" } },
        {
          type: "image",
          block_id: "b",
          image_url: "https://greenlight.example/i",
          alt_text: "img",
          image_width: 48,
          image_height: 32,
          image_bytes: 1234,
          fallback: "48x32px image",
        },
        { type: "actions", block_id: "greenlight_decision", elements: [] },
      ],
    },
    actions: [{ action_id: "greenlight_reject", block_id: "greenlight_decision", value: taskId, action_ts: "1700000001.000200" }],
    ...overrides,
  });
  const readClick = (body: Record<string, unknown>) => assignmentsOf(flow, "Read click", { payload: body });

  it("listens for Slack's POSTs at webhook/greenlight/slack-actions, with the raw body, answering from Respond to Webhook nodes", () => {
    const webhook = byName(flow, "Slack interactivity");
    expect(webhook.parameters).toEqual({
      httpMethod: "POST",
      path: "greenlight/slack-actions",
      responseMode: "responseNode",
      options: { rawBody: true },
    });
    // Without a webhookId, n8n would serve it at <workflow id>/<node name>/<path> instead (as a CLI import leaves it).
    expect(webhook.webhookId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(n8nWorkflow.NodeHelpers.getNodeWebhookPath(flow.id, webhook, webhook.parameters.path, true)).toBe("greenlight/slack-actions");
    expect(byName(flow, "Raw body").parameters).toMatchObject({ operation: "text", binaryPropertyName: "data", destinationKey: "rawBody" });
    expect(byName(flow, "Config").parameters).toMatchObject({ includeOtherFields: true, options: { stripBinary: false } });
  });

  it("keeps the editable settings in Config, with their defaults", () => {
    const { assignments } = byName(flow, "Config").parameters.assignments as {
      assignments: { name: string; type: string; value: unknown }[];
    };
    expect(assignments.map(({ name, type, value }) => ({ name, type, value }))).toEqual([
      { name: "greenlightUrl", type: "string", value: "http://127.0.0.1:8787" },
      { name: "slackApiUrl", type: "string", value: "https://slack.com/api/" },
      { name: "approverIds", type: "string", value: "" },
    ]);
  });

  it("computes Slack's v0 signature with the Crypto node and the signing secret, and compares blinded MACs", () => {
    const signature = byName(flow, "Slack signature");
    expect(signature.parameters).toEqual({
      action: "hmac",
      type: "SHA256",
      value: "=v0:{{ $('Slack interactivity').item.json.headers['x-slack-request-timestamp'] }}:{{ $json.rawBody }}",
      dataPropertyName: "expectedSignature",
      encoding: "hex",
    });
    for (const name of ["Slack signature", "Blind expected signature", "Blind received signature"]) {
      expect(byName(flow, name).credentials).toEqual({ crypto: { id: "slack-signing-secret", name: "Slack signing secret" } });
    }
    const gate = byName(flow, "Signed by Slack, within 5 minutes?").parameters.conditions as {
      combinator: string;
      conditions: { leftValue: string }[];
    };
    expect(gate.combinator).toBe("and");
    expect(gate.conditions.map((condition) => condition.leftValue)).toEqual([
      "={{ $json.expectedMac === $json.receivedMac }}",
      "={{ /^[0-9]{1,12}$/.test(String($('Slack interactivity').item.json.headers['x-slack-request-timestamp'] ?? '')) && Math.abs($now.toSeconds() - Number($('Slack interactivity').item.json.headers['x-slack-request-timestamp'])) <= 300 }}",
    ]);
  });

  it("answers 401 to a bad or stale request and does nothing else, and 200 at once to a good one before calling Greenlight", () => {
    expect(flow.connections["Signed by Slack, within 5 minutes?"]?.main).toEqual([
      [{ node: "Acknowledge (200)", type: "main", index: 0 }],
      [{ node: "Refuse (401)", type: "main", index: 0 }],
    ]);
    expect(byName(flow, "Refuse (401)").parameters).toEqual({ respondWith: "noData", options: { responseCode: 401 } });
    expect(flow.connections["Refuse (401)"]).toBeUndefined();
    expect(byName(flow, "Acknowledge (200)").parameters).toEqual({ respondWith: "noData", options: { responseCode: 200 } });
    expect(flow.connections["Acknowledge (200)"]?.main).toEqual([[{ node: "Parse payload", type: "main", index: 0 }]]);
  });

  it("reads the action, task, user, channel and message from the payload, and sets the buttons apart from the rest without Slack's read-only image fields", () => {
    const click = readClick(payload());
    expect(click).toMatchObject({
      type: "block_actions",
      actionId: "greenlight_reject",
      decision: "reject",
      taskId,
      actionTs: "1700000001.000200",
      userId: "U0ADA",
      userName: "ada",
      channel: "C0REVIEWS",
      messageTs: "1700000000.000100",
      issuedAt: expect.any(Number),
    });
    expect(click.keptBlocks).toEqual([
      { type: "section", block_id: "a", text: { type: "mrkdwn", text: "*Task:* x" } },
      { type: "image", image_url: "https://greenlight.example/i", alt_text: "img" },
    ]);
    expect(click.buttons).toEqual([{ type: "actions", block_id: "greenlight_decision", elements: [] }]);
    expect(
      readClick(payload({ actions: [{ action_id: "greenlight_approve", value: taskId, action_ts: "1.2" }], message: { ts: "1.1" } })),
    ).toMatchObject({
      decision: "approve",
      keptBlocks: [],
      buttons: [],
    });
  });

  it("signs the contract's claims with the JWT node: HS256, aud, iss n8n, sub, decision, reviewer, jti, exp 300 s after iat", () => {
    const sign = byName(flow, "Sign decision");
    expect(sign.credentials).toEqual({ jwtAuth: { id: "greenlight-decision-signer", name: "Greenlight decision signer" } });
    expect(sign.parameters).toMatchObject({ operation: "sign", useJson: true, options: { algorithm: "HS256" } });
    const click = readClick(payload());
    const claims = JSON.parse(evaluate(flow, sign.name, sign.parameters.claimsJson, click, {}));
    expect(claims).toEqual({
      aud: "greenlight/decisions",
      iss: "n8n",
      sub: taskId,
      decision: "reject",
      reviewer: { id: "U0ADA", name: "ada" },
      jti: `n8n:${taskId}:U0ADA:1700000001.000200`,
      iat: click.issuedAt,
      exp: (click.issuedAt as number) + 300,
    });
    expect(Math.abs((click.issuedAt as number) - Date.now() / 1000)).toBeLessThan(5);
  });

  it("sends the token as a bearer token and branches on a decision, 409 already_decided, 409 review_expired, a counted approval and anything else", () => {
    const send = byName(flow, "Send decision");
    expect(send.parameters).toMatchObject({
      method: "POST",
      url: "={{ $('Config').first().json.greenlightUrl }}/v1/decisions",
      authentication: "none",
      headerParameters: { parameters: [{ name: "Authorization", value: "=Bearer {{ $json.token }}" }] },
      options: { response: { response: { fullResponse: true, neverError: true } } },
    });
    expect(flow.connections.Outcome?.main).toEqual([
      [{ node: "Describe decision", type: "main", index: 0 }],
      [{ node: "Describe earlier decision", type: "main", index: 0 }],
      [{ node: "Describe expiry", type: "main", index: 0 }],
      [
        { node: "Tell approval counted", type: "main", index: 0 },
        { node: "Show approvals", type: "main", index: 0 },
      ],
      [{ node: "Tell error", type: "main", index: 0 }],
    ]);
    const rules = (byName(flow, "Outcome").parameters.rules as { values: { conditions: { conditions: { leftValue: string }[] } }[] })
      .values;
    const branch = (answer: Record<string, unknown>) =>
      rules.findIndex((rule) => evaluate(flow, "Outcome", rule.conditions.conditions[0]!.leftValue, answer, {}) === true);
    const decided = {
      decision: "approve",
      reviewer: { id: "U0ADA", name: "ada" },
      reason: null,
      decidedAt: "2026-11-22T03:00:00.000Z",
      via: "n8n",
    };
    const counted = {
      taskId,
      status: "pending",
      approvals: [{ reviewer: decided.reviewer, decidedAt: decided.decidedAt }],
      approvalsRequired: 2,
    };
    expect(branch({ statusCode: 200, body: { taskId, status: "approved", decision: decided } })).toBe(0);
    expect(branch({ statusCode: 200, body: counted })).toBe(3);
    expect(branch({ statusCode: 403, body: { error: { code: "reviewer_excluded", message: "Excluded." } } })).toBe(-1);
    for (const name of ["Describe decision", "Describe earlier decision", "Describe expiry"]) {
      expect(flow.connections[name]?.main, name).toEqual([[{ node: "Update Slack message", type: "main", index: 0 }]]);
    }
  });

  describe("the updated message, after Greenlight's answer", () => {
    // A reviewer name made to ping, link or format: Slack usernames are tame, but the review console takes any name.
    const HOSTILE = "``` <!channel> <https://evil.example|click> *bold* @here";
    const ESCAPED = "``` &lt;!channel&gt; &lt;https://evil.example|click&gt; *bold* @here";
    const decidedAt = "2026-11-22T03:00:00.000Z";
    const date = { type: "date", timestamp: 1795316400, format: "{date_short_pretty} at {time}", fallback: decidedAt };
    const decision = (name: string) => ({
      decision: "approve",
      reviewer: { id: "console-mallory", name },
      reason: null,
      decidedAt,
      via: "console",
    });
    const outputOf: Record<string, number> = { "Describe decision": 0, "Describe earlier decision": 1, "Describe expiry": 2 };
    const clickPath = (describer: string) => [
      { node: "Read click", json: readClick(payload()) },
      { node: "Greenlight button?" },
      { node: "Allowed to decide?" },
      { node: "Sign decision" },
      { node: "Send decision" },
      { node: "Outcome", output: outputOf[describer] },
    ];
    /** The chat.update body the flow sends after `describer` handled Greenlight's `answer`. */
    const updateAfter = (describer: string, answer: Record<string, unknown>) => {
      const { assignments } = evaluateAfter(
        flow,
        describer,
        byName(flow, describer).parameters.assignments,
        answer,
        clickPath(describer),
      ) as { assignments: { name: string; value: unknown }[] };
      const described = Object.fromEntries(assignments.map(({ name, value }) => [name, value]));
      const update = byName(flow, "Update Slack message");
      return JSON.parse(
        evaluateAfter(flow, update.name, update.parameters.jsonBody, described, [...clickPath(describer), { node: describer }]),
      );
    };
    const kept = [
      { type: "section", block_id: "a", text: { type: "mrkdwn", text: "*Task:* x" } },
      { type: "image", image_url: "https://greenlight.example/i", alt_text: "img" },
    ];

    it("names the reviewer of a recorded decision literally in rich text, and escaped in the notification text", () => {
      const body = updateAfter("Describe decision", { statusCode: 200, body: { taskId, status: "approved", decision: decision(HOSTILE) } });
      expect(body).toEqual({
        channel: "C0REVIEWS",
        ts: "1700000000.000100",
        text: `Approved by ${ESCAPED}`,
        blocks: [
          ...kept,
          {
            type: "rich_text",
            block_id: "greenlight_outcome",
            elements: [
              {
                type: "rich_text_section",
                elements: [
                  { type: "emoji", name: "white_check_mark" },
                  { type: "text", text: " " },
                  { type: "text", text: "Approved", style: { bold: true } },
                  { type: "text", text: " by " },
                  { type: "user", user_id: "U0ADA" },
                  { type: "text", text: ` (${HOSTILE}) ` },
                  date,
                ],
              },
            ],
          },
        ],
      });
    });

    it("names the earlier winner literally in rich text, and escaped in the notification text", () => {
      const answer = {
        statusCode: 409,
        body: { error: { code: "already_decided", message: "Already decided.", details: { decision: decision(HOSTILE) } } },
      };
      const body = updateAfter("Describe earlier decision", answer);
      expect(body.text).toBe(`Already decided: approved by ${ESCAPED}`);
      expect(body.blocks.at(-1)).toEqual({
        type: "rich_text",
        block_id: "greenlight_outcome",
        elements: [
          {
            type: "rich_text_section",
            elements: [
              { type: "emoji", name: "lock" },
              { type: "text", text: " Already decided: " },
              { type: "text", text: "approved", style: { bold: true } },
              { type: "text", text: ` by ${HOSTILE} ` },
              date,
              { type: "text", text: ". " },
              { type: "user", user_id: "U0ADA" },
              { type: "text", text: "'s click was not recorded." },
            ],
          },
        ],
      });
    });

    it("says the review expired, mentioning the clicker", () => {
      const body = updateAfter("Describe expiry", { statusCode: 409, body: { error: { code: "review_expired", message: "Too late." } } });
      expect(body.text).toBe("Expired: the review deadline passed before anyone decided");
      expect(body.blocks).toEqual([
        ...kept,
        {
          type: "rich_text",
          block_id: "greenlight_outcome",
          elements: [
            {
              type: "rich_text_section",
              elements: [
                { type: "emoji", name: "hourglass" },
                { type: "text", text: " " },
                { type: "text", text: "Expired", style: { bold: true } },
                { type: "text", text: ": the review deadline passed before anyone decided, so " },
                { type: "user", user_id: "U0ADA" },
                { type: "text", text: "'s click was not recorded." },
              ],
            },
          ],
        },
      ]);
    });
  });

  it("tells the clicker privately that an approval short of the quorum was counted", () => {
    const tell = byName(flow, "Tell approval counted");
    expect(tell.credentials).toEqual({ httpHeaderAuth: { id: "slack-bot-token", name: "Slack bot token" } });
    const answer = {
      statusCode: 200,
      body: {
        taskId,
        status: "pending",
        approvals: [{ reviewer: { id: "U0ADA", name: "<!channel>" }, decidedAt: "x" }],
        approvalsRequired: 2,
      },
    };
    const path = [
      { node: "Read click", json: readClick(payload()) },
      { node: "Greenlight button?" },
      { node: "Allowed to decide?" },
      { node: "Sign decision" },
      { node: "Send decision" },
      { node: "Outcome", output: 3 },
    ];
    expect(JSON.parse(evaluateAfter(flow, tell.name, tell.parameters.jsonBody, answer, path))).toEqual({
      channel: "C0REVIEWS",
      user: "U0ADA",
      text: "Your approval was counted: 1 of 2 approvals. The task waits for more, so the buttons stay.",
    });
    expect(flow.connections["Tell approval counted"]).toBeUndefined();
  });

  it("shows the count and who approved on the message in rich text, replacing an earlier count, above the buttons it keeps", () => {
    const show = byName(flow, "Show approvals");
    expect(show.credentials).toEqual({ httpHeaderAuth: { id: "slack-bot-token", name: "Slack bot token" } });
    expect(show.parameters).toMatchObject({ method: "POST", options: { response: { response: { neverError: true } } } });
    expect(evaluate(flow, show.name, show.parameters.url, {}, { slackApiUrl: "https://slack.com/api/" })).toBe(
      "https://slack.com/api/chat.update",
    );
    const buttons = {
      type: "actions",
      block_id: "greenlight_decision",
      elements: [
        {
          type: "button",
          action_id: "greenlight_approve",
          style: "primary",
          text: { type: "plain_text", text: "Approve", emoji: true },
          value: taskId,
        },
      ],
    };
    const earlierCount = {
      type: "rich_text",
      block_id: "greenlight_approvals",
      elements: [{ type: "rich_text_section", elements: [{ type: "text", text: "stale" }] }],
    };
    const [section, image] = payload().message.blocks;
    const click = readClick(payload({ message: { ts: "1700000000.000100", blocks: [section, image, earlierCount, buttons] } }));
    // A reviewer name made to ping, link or format: the review console takes any name.
    const HOSTILE = "``` <!channel> <https://evil.example|click> *bold* @here";
    const answer = {
      statusCode: 200,
      body: {
        taskId,
        status: "pending",
        approvals: [
          { reviewer: { id: "console-mallory", name: HOSTILE }, decidedAt: "2026-11-22T03:00:00.000Z" },
          { reviewer: { id: "U0ADA", name: "ada" }, decidedAt: "2026-11-22T03:01:00.000Z" },
        ],
        approvalsRequired: 3,
      },
    };
    const body = JSON.parse(
      evaluateAfter(flow, show.name, show.parameters.jsonBody, answer, [
        { node: "Read click", json: click },
        { node: "Greenlight button?" },
        { node: "Allowed to decide?" },
        { node: "Sign decision" },
        { node: "Send decision" },
        { node: "Outcome", output: 3 },
      ]),
    );
    expect(body).toEqual({
      channel: "C0REVIEWS",
      ts: "1700000000.000100",
      text: `2 of 3 approvals: ${taskId}`,
      blocks: [
        { type: "section", block_id: "a", text: { type: "mrkdwn", text: "*Task:* x" } },
        { type: "image", image_url: "https://greenlight.example/i", alt_text: "img" },
        // The very block the Slack app shows: the two surfaces render a quorum alike.
        approvalsCount(
          answer.body.approvals.map((approval) => approval.reviewer),
          3,
        ),
        buttons,
      ],
    });
    expect(flow.connections["Show approvals"]?.main).toEqual([[{ node: "Slack updated?", type: "main", index: 0 }]]);
  });

  it("refuses users missing from a non-empty approverIds list with an ephemeral message", () => {
    const allowed = byName(flow, "Allowed to decide?");
    const condition = (allowed.parameters.conditions as { conditions: { leftValue: string }[] }).conditions[0]!.leftValue;
    const decide = (approverIds: string, userId: string) => evaluate(flow, allowed.name, condition, { userId }, { approverIds });
    expect(decide("", "U0ANY")).toBe(true);
    expect(decide(" U0ADA , U0BOB ", "U0ADA")).toBe(true);
    expect(decide("U0ADA,U0BOB", "U0MALLORY")).toBe(false);
    expect(flow.connections["Allowed to decide?"]?.main[1]).toEqual([{ node: "Tell not allowed", type: "main", index: 0 }]);
    const tell = byName(flow, "Tell not allowed");
    expect(evaluate(flow, tell.name, tell.parameters.url, {}, { slackApiUrl: "https://slack.com/api/" })).toBe(
      "https://slack.com/api/chat.postEphemeral",
    );
    expect(
      JSON.parse(evaluate(flow, tell.name, tell.parameters.jsonBody, { channel: "C0REVIEWS", userId: "U0MALLORY" }, {})),
    ).toMatchObject({
      channel: "C0REVIEWS",
      user: "U0MALLORY",
    });
  });

  it("ignores interactions that are not a Greenlight button on a message", () => {
    const gate = byName(flow, "Greenlight button?").parameters.conditions as { conditions: { rightValue: string }[] };
    expect(gate.conditions.map((condition) => condition.rightValue)).toEqual([
      "block_actions",
      "^greenlight_(approve|reject)$",
      "^tsk_[0-9a-f]{32}$",
      "",
    ]);
    expect(flow.connections["Greenlight button?"]?.main[1]).toEqual([{ node: "Not a Greenlight click", type: "main", index: 0 }]);
  });
});

describe("the expired-messages flow", () => {
  const flow = load("expired-messages.workflow.json");
  const config = { slackApiUrl: "https://slack.com/api/", slackChannelId: "C0REVIEWS", lookbackHours: 72 };
  const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
  const reviewMessage = (deadline: string, overrides: Record<string, unknown> = {}) => ({
    ts: "1700000000.000100",
    metadata: { event_type: "greenlight_review", event_payload: { task_id: `tsk_${"d".repeat(32)}`, review_deadline: deadline } },
    blocks: [
      {
        type: "image",
        block_id: "i",
        image_url: "https://greenlight.example/i",
        alt_text: "img",
        image_width: 48,
        fallback: "48x32px image",
      },
      { type: "actions", block_id: "greenlight_decision", elements: [] },
    ],
    ...overrides,
  });
  const filterConditions = (byName(flow, "Open review past its deadline?").parameters.conditions as { conditions: { leftValue: string }[] })
    .conditions;
  const isOpenAndPast = (message: Record<string, unknown>) =>
    filterConditions.every((condition) => evaluate(flow, "Open review past its deadline?", condition.leftValue, message, config) === true);

  it("keeps the editable settings in Config, with their defaults", () => {
    const { assignments } = byName(flow, "Config").parameters.assignments as {
      assignments: { name: string; type: string; value: unknown }[];
    };
    expect(assignments.map(({ name, type, value }) => ({ name, type, value }))).toEqual([
      { name: "slackApiUrl", type: "string", value: "https://slack.com/api/" },
      { name: "slackChannelId", type: "string", value: "" },
      { name: "lookbackHours", type: "number", value: 72 },
    ]);
  });

  it("reads the channel's recent history with the messages' metadata", () => {
    const read = byName(flow, "Read review channel");
    expect(evaluate(flow, read.name, read.parameters.url, {}, config)).toBe("https://slack.com/api/conversations.history");
    const { parameters } = evaluate(flow, read.name, read.parameters.queryParameters, {}, config) as {
      parameters: { name: string; value: unknown }[];
    };
    const query = Object.fromEntries(parameters.map(({ name, value }) => [name, value]));
    expect(query).toMatchObject({ channel: "C0REVIEWS", limit: "200", include_all_metadata: "true" });
    expect(Math.abs(Number(query.oldest) - (Date.now() / 1000 - 72 * 3600))).toBeLessThan(5);
  });

  it("closes only Greenlight messages that still have their buttons and whose deadline has passed", () => {
    expect(isOpenAndPast(reviewMessage(hoursFromNow(-1)))).toBe(true);
    expect(isOpenAndPast(reviewMessage(hoursFromNow(1)))).toBe(false);
    expect(
      isOpenAndPast(
        reviewMessage(hoursFromNow(-1), {
          blocks: [{ type: "section", block_id: "greenlight_outcome", text: { type: "mrkdwn", text: "Approved" } }],
        }),
      ),
    ).toBe(false);
    expect(isOpenAndPast(reviewMessage(hoursFromNow(-1), { metadata: { event_type: "something_else", event_payload: {} } }))).toBe(false);
    expect(isOpenAndPast({ ts: "1.2", text: "chatter" })).toBe(false);
  });

  it("updates the message without its buttons, saying the deadline passed", () => {
    const message = reviewMessage("2026-11-22T03:00:00.000Z");
    const described = assignmentsOf(flow, "Describe closing", message, config) as { ts: string; closing: string };
    expect(described.closing).toContain("deadline passed <!date^");
    const close = byName(flow, "Close message");
    const body = JSON.parse(evaluate(flow, close.name, close.parameters.jsonBody, { ...message, ...described }, config));
    expect(body).toEqual({
      channel: "C0REVIEWS",
      ts: "1700000000.000100",
      text: expect.stringContaining("Review closed"),
      blocks: [
        { type: "image", image_url: "https://greenlight.example/i", alt_text: "img" },
        { type: "section", block_id: "greenlight_outcome", text: { type: "mrkdwn", text: described.closing } },
      ],
    });
  });
});
