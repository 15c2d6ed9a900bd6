import type { Logger } from "@s3notify/core";

/** Core's warnings and errors (a target unreachable, an event set aside) as one line each on stderr. */
export function stderrLogger(prefix: string): Logger {
  const write = (level: string, message: string, fields?: Record<string, unknown>) => {
    const detail = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : "";
    process.stderr.write(`${prefix}: ${level}: ${message}${detail}\n`);
  };
  return {
    debug: () => {},
    info: () => {},
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
  };
}
