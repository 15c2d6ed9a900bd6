import { ConfigError } from "../errors/config-error.js";
import { S3NotifyError } from "../errors/s3notify-error.js";

/** Several configuration errors at once: each one is in `errors`, and all are in the message. */
export class NotifyConfigError extends ConfigError {
  readonly errors: readonly ConfigError[];

  constructor(errors: readonly ConfigError[]) {
    const count = errors.length === 1 ? "1 error" : `${errors.length} errors`;
    super({ subsystem: "notify" }, `${count} in the notify configuration:\n${errors.map((error) => `  - ${error.message}`).join("\n")}`);
    this.errors = Object.freeze([...errors]);
  }
}

/** Throw the collected errors as one NotifyConfigError; do nothing when there are none. */
export function throwCollected(errors: readonly ConfigError[]): void {
  if (errors.length > 0) throw new NotifyConfigError(errors);
}

/** A ConfigError, also one thrown by another copy of core (a marker check, not `instanceof`). */
export function isConfigError(error: unknown): error is ConfigError {
  return S3NotifyError.isInstance(error) && typeof (error as { subsystem?: unknown }).subsystem === "string";
}
