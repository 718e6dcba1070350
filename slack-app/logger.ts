// A Bolt-compatible logger: one line per message with its time, level and name.
import { type Logger, LogLevel } from "@slack/bolt";

const ORDER: LogLevel[] = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];

export function createLogger(name: string, level: `${LogLevel}` = "info"): Logger {
  let current = level as LogLevel;
  let label = name;
  const write = (at: LogLevel, messages: unknown[]) => {
    if (ORDER.indexOf(at) < ORDER.indexOf(current)) return;
    const text = messages.map((message) => (message instanceof Error ? (message.stack ?? message.message) : typeof message === "string" ? message : JSON.stringify(message))).join(" ");
    const line = `${new Date().toISOString()} ${at.toUpperCase()} ${label}: ${text}\n`;
    (at === LogLevel.ERROR || at === LogLevel.WARN ? process.stderr : process.stdout).write(line);
  };
  return {
    debug: (...messages) => write(LogLevel.DEBUG, messages),
    info: (...messages) => write(LogLevel.INFO, messages),
    warn: (...messages) => write(LogLevel.WARN, messages),
    error: (...messages) => write(LogLevel.ERROR, messages),
    setLevel: (next) => void (current = next),
    getLevel: () => current,
    setName: (next) => void (label = next),
  };
}
