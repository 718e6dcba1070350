// What the bench ran on: CPU, cores, memory, kernel, Node, wrangler and workerd, the open-files limit.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, arch, release, totalmem } from "node:os";
import { tracingRequested, WRANGLER_CLI } from "../lib/wrangler.ts";

export function machine(): [string, string][] {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown";
  const openFiles = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1] ?? "unknown";
  const wranglerRequire = createRequire(WRANGLER_CLI);
  const version = (name: string) => (wranglerRequire(`${name}/package.json`) as { version: string }).version;
  return [
    ["CPU", `${model}, ${availableParallelism()} cores`],
    ["memory", `${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ["kernel", `Linux ${release()} (${arch()})`],
    ["Node", process.version],
    [
      "wrangler",
      `${version("wrangler")}, workerd ${version("workerd")} (wrangler dev --local, local tracing ${tracingRequested() ? "on" : "off"})`,
    ],
    ["open files", `at most ${openFiles} per process`],
  ];
}
