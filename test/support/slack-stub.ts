// A local stand-in for the Slack Web API, answering as Slack documents (HTTP 200 with {"ok": ...}), that records calls.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export type SlackCall = { method: string; token: string | null; body: Record<string, unknown>; answer: Record<string, unknown> };

export type SlackStub = {
  /** The base URL to configure as SLACK_API_URL / slackApiUrl, ending in a slash like https://slack.com/api/. */
  url: string;
  calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  close(): Promise<void>;
};

// Channel names resolve to ids, as Slack answers with the channel id whatever was sent.
const CHANNEL_IDS: Record<string, string> = { "#greenlight-reviews": "C0GREENLIGHT", "greenlight-reviews": "C0GREENLIGHT" };

export async function startSlackStub(options: { token: string }): Promise<SlackStub> {
  const calls: SlackCall[] = [];
  let sequence = 0;
  const nextTs = () => `1700000000.${String(++sequence).padStart(6, "0")}`;

  const server = createServer(async (request, response) => {
    const method = (request.url ?? "").replace(/^\/api\//, "").split("?")[0] ?? "";
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1] ?? null;
    // Slack takes arguments in the query string as well as the body (chat.getPermalink is a GET in Slack's examples).
    const query = Object.fromEntries(new URL(request.url ?? "/", "http://stub").searchParams);
    const body = { ...query, ...(await readBody(request)) };
    const call: SlackCall = { method, token, body, answer: {} };
    calls.push(call);
    const answer = (payload: Record<string, unknown>) => {
      call.answer = payload;
      response.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(payload));
    };

    if (token !== options.token) return answer({ ok: false, error: token === null ? "not_authed" : "invalid_auth" });
    const channel = typeof body.channel === "string" ? (CHANNEL_IDS[body.channel] ?? body.channel) : undefined;
    switch (method) {
      case "chat.postMessage": {
        if (!channel) return answer({ ok: false, error: "channel_not_found" });
        const ts = nextTs();
        return answer({ ok: true, channel, ts, message: { type: "message", text: body.text, blocks: body.blocks, ts } });
      }
      case "chat.update":
        if (!channel || typeof body.ts !== "string") return answer({ ok: false, error: "message_not_found" });
        return answer({ ok: true, channel, ts: body.ts, text: body.text, message: { text: body.text, blocks: body.blocks } });
      case "chat.getPermalink": {
        const ts = typeof body.message_ts === "string" ? body.message_ts : undefined;
        if (!channel || !ts) return answer({ ok: false, error: "message_not_found" });
        return answer({ ok: true, channel, permalink: `https://greenlight-test.slack.com/archives/${channel}/p${ts.replace(".", "")}` });
      }
      case "chat.postEphemeral":
        if (!channel || typeof body.user !== "string") return answer({ ok: false, error: "user_not_in_channel" });
        return answer({ ok: true, message_ts: nextTs() });
      case "views.open":
      case "views.publish":
      case "views.update":
        return answer({ ok: true, view: { id: `V${sequence++}`, ...(body.view as object) } });
      case "auth.test":
        return answer({
          ok: true,
          url: "https://greenlight-test.slack.com/",
          team: "Greenlight",
          user: "greenlight",
          team_id: "T0GREEN",
          user_id: "U0BOT",
          bot_id: "B0BOT",
        });
      default:
        return answer({ ok: false, error: "unknown_method" });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    callsTo: (method) => calls.filter((call) => call.method === method),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// Slack's Web API takes JSON or form-encoded bodies; form fields holding JSON (blocks, view) are decoded too.
async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return {};
  if ((request.headers["content-type"] ?? "").includes("application/json")) return JSON.parse(text) as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    fields[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return fields;
}
