import { S3NotifyError } from "../errors/s3notify-error.js";

/** Stable codes of the plugin registry and discovery (listed in docs/errors.md). */
export type PluginErrorCode =
  | "S3NOTIFY_ERR_PLUGIN_INVALID"
  | "S3NOTIFY_ERR_PLUGIN_API_VERSION"
  | "S3NOTIFY_ERR_PLUGIN_DUPLICATE"
  | "S3NOTIFY_ERR_PLUGIN_MANIFEST"
  | "S3NOTIFY_ERR_PLUGIN_TYPE_MISMATCH"
  | "S3NOTIFY_ERR_PLUGIN_LOAD";

/** A target plugin core cannot register or load. Raised at start-up, never retryable. */
export class PluginError extends S3NotifyError {
  /** Where the plugin came from: a package name or `explicit`. */
  readonly source: string;

  constructor(code: PluginErrorCode, source: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { cause: options.cause, retryable: false });
    this.source = source;
  }
}
