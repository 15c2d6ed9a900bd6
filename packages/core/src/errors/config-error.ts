import { S3NotifyError } from "./s3notify-error.js";

export interface ConfigErrorLocation {
  /** `notify_webhook` */
  readonly subsystem: string;
  /** Target id, `_` for the default target. */
  readonly targetId?: string;
  /** KV key name, e.g. `endpoint`. */
  readonly key?: string;
}

/** Bad configuration: names the sub-system, the target id and the key. Never carries a secret value. */
export class ConfigError extends S3NotifyError {
  readonly subsystem: string;
  readonly targetId: string | undefined;
  readonly key: string | undefined;

  constructor(location: ConfigErrorLocation, reason: string, options: { cause?: unknown; code?: string } = {}) {
    const where = location.subsystem + (location.targetId && location.targetId !== "_" ? `:${location.targetId}` : "");
    const message = location.key ? `${where}: ${location.key}: ${reason}` : `${where}: ${reason}`;
    super(options.code ?? "S3NOTIFY_ERR_CONFIG", message, { cause: options.cause, retryable: false });
    this.subsystem = location.subsystem;
    this.targetId = location.targetId;
    this.key = location.key;
  }
}
