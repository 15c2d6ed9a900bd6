import { S3NotifyError } from "../errors/s3notify-error.js";
import { invalidArnError } from "../s3/notification-errors.js";
import type { Arn, TargetId } from "../types.js";

const ARN_PREFIX = "arn:minio:sqs:";

/**
 * MinIO's parseARN (facts §4): the literal prefix `arn:minio:sqs:`, exactly six
 * `:`-separated parts, non-empty id and type. Case-sensitive, no trimming.
 */
export function parseArn(text: string): Arn {
  if (!text.startsWith(ARN_PREFIX)) throw invalidArnError(text);
  const parts = text.split(":");
  if (parts.length !== 6) throw invalidArnError(text);
  const [, , , region = "", id = "", type = ""] = parts;
  if (id === "" || type === "") throw invalidArnError(text);
  return { region, id, type };
}

/** `arn:minio:sqs:<region>:<id>:<type>`; an all-empty ARN renders as "". */
export function formatArn(arn: Arn): string {
  if (arn.region === "" && arn.id === "" && arn.type === "") return "";
  return `${ARN_PREFIX}${arn.region}:${arn.id}:${arn.type}`;
}

/** `<ID>:<TYPE>`, e.g. `1:webhook`: how rules, logs and the notifier name a target. */
export function targetIdString(targetId: TargetId): string {
  return `${targetId.id}:${targetId.type}`;
}

/** The inverse of `targetIdString`: exactly one `:` (MinIO's parseTargetID). */
export function parseTargetIdString(text: string): TargetId {
  const parts = text.split(":");
  if (parts.length !== 2) throw new S3NotifyError("S3NOTIFY_ERR_INVALID_TARGET_ID", `invalid TargetID format '${text}'`);
  const [id = "", type = ""] = parts;
  return { id, type };
}
