import { S3NotifyError } from "./s3notify-error.js";

/** An error a host returns to an S3 client as S3 error XML: S3 code, message, HTTP status. */
export class S3Error extends S3NotifyError {
  readonly s3Code: string;
  readonly httpStatus: number;
  /** MinIO's internal message (e.g. `invalid event name 'x'`), for logs. */
  readonly detail: string | undefined;

  constructor(s3Code: string, message: string, options: { httpStatus?: number; detail?: string; cause?: unknown } = {}) {
    super(`S3NOTIFY_ERR_S3_${s3Code.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()}`, message, { cause: options.cause });
    this.s3Code = s3Code;
    this.httpStatus = options.httpStatus ?? 400;
    this.detail = options.detail;
  }
}
