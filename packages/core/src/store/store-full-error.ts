import { S3NotifyError } from "../errors/s3notify-error.js";

/** A target's queue holds queue_limit entries: the event is refused for that target (MinIO's text). */
export class StoreFullError extends S3NotifyError {
  readonly targetId: string;
  constructor(targetId: string) {
    super("S3NOTIFY_ERR_STORE_FULL", "the maximum store limit reached", { retryable: true });
    this.targetId = targetId;
  }
}
