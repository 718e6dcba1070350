// The four credentials the flows name, as `n8n import:credentials --input=<file>` takes them (n8n encrypts `data` on import).

export type FlowSecrets = {
  /** Greenlight's REVIEWER_TOKEN. */
  reviewerToken: string;
  /** The Slack app's bot token, xoxb-... */
  slackBotToken: string;
  /** The Slack app's signing secret (Basic Information > App Credentials). */
  slackSigningSecret: string;
  /** Greenlight's DECISION_SIGNING_SECRET. */
  decisionSecret: string;
};

/** Id, name and type of each credential, exactly as the flows reference them. */
export const FLOW_CREDENTIALS = {
  reviewer: { id: "greenlight-reviewer-token", name: "Greenlight reviewer token", type: "httpHeaderAuth" },
  slackBot: { id: "slack-bot-token", name: "Slack bot token", type: "httpHeaderAuth" },
  slackSigning: { id: "slack-signing-secret", name: "Slack signing secret", type: "crypto" },
  signer: { id: "greenlight-decision-signer", name: "Greenlight decision signer", type: "jwtAuth" },
} as const;

export function n8nCredentials(secrets: FlowSecrets): object[] {
  const { reviewer, slackBot, slackSigning, signer } = FLOW_CREDENTIALS;
  return [
    { ...reviewer, data: { name: "Authorization", value: `Bearer ${secrets.reviewerToken}` } },
    { ...slackBot, data: { name: "Authorization", value: `Bearer ${secrets.slackBotToken}` } },
    // The Crypto node's credential: only its HMAC secret is used.
    { ...slackSigning, data: { hmacSecret: secrets.slackSigningSecret } },
    { ...signer, data: { keyType: "passphrase", secret: secrets.decisionSecret, algorithm: "HS256" } },
  ];
}
