const ERROR_MARKER = Symbol.for("s3notify.core.Error");

export interface S3NotifyErrorOptions {
  readonly cause?: unknown;
  readonly retryable?: boolean;
}

/**
 * Base of every error s3notify throws. `code` is stable (listed in docs/errors.md).
 * Check with `S3NotifyError.isInstance`, which works across duplicate copies of core.
 */
export class S3NotifyError extends Error {
  readonly [ERROR_MARKER] = true;
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: S3NotifyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }

  static isInstance(value: unknown): value is S3NotifyError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[ERROR_MARKER] === true;
  }
}
