// Global setup of the flow checks: n8n-nodes-base's node definitions and its n8n-workflow, fetched once outside the
// repository (a few seconds), so the root install carries none of n8n.
import { installFlowCheckPackages } from "../../scripts/install-n8n.ts";

export default function setup() {
  installFlowCheckPackages();
}
