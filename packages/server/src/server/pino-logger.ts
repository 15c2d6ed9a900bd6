import type { Logger } from "@s3notify/core";
import { type Logger as PinoLogger, pino } from "pino";

/** A pino logger behind core's Logger interface (message first, fields second). */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): { logger: Logger; pino: PinoLogger } {
  const instance = pino(
    { level: options.level ?? process.env.S3NOTIFY_LOG_LEVEL ?? "info", base: undefined },
    (options.destination ?? process.stderr) as never,
  );
  const logger: Logger = {
    debug: (message, fields) => instance.debug(fields ?? {}, message),
    info: (message, fields) => instance.info(fields ?? {}, message),
    warn: (message, fields) => instance.warn(fields ?? {}, message),
    error: (message, fields) => instance.error(fields ?? {}, message),
  };
  return { logger, pino: instance };
}
