import { S3Error } from "../errors/s3-error.js";

/**
 * The S3 errors of PutBucketNotification and ListenNotification, with MinIO's
 * exact codes and messages (facts §3.4). `detail` is MinIO's internal message.
 */
export const NOTIFICATION_ERROR_MESSAGES = Object.freeze({
  invalidEventName: "A specified event is not supported for notifications.",
  invalidArn: "A specified destination ARN does not exist or is not well-formed. Verify the destination ARN.",
  unknownRegion: "A specified destination is in a different region than the bucket. You must use a destination that resides in the same region as the bucket.",
  invalidFilterName: "filter rule name must be either prefix or suffix",
  duplicatePrefix: "Cannot specify more than one prefix rule in a filter.",
  duplicateSuffix: "Cannot specify more than one suffix rule in a filter.",
  invalidFilterValue: "Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation",
  duplicateEventName: "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
  duplicateQueueConfiguration:
    "An object key name filtering rule defined with overlapping prefixes, overlapping suffixes, or overlapping combinations of prefixes and suffixes for the same event types.",
  unsupportedNotification: "MinIO server does not support Topic or Cloud Function based notifications.",
  malformedXml: "The XML you provided was not well-formed or did not validate against our published schema.",
  missingContentLength: "You must provide the Content-Length HTTP header.",
});

export function invalidEventNameError(name: string): S3Error {
  return new S3Error("InvalidArgument", NOTIFICATION_ERROR_MESSAGES.invalidEventName, { detail: `invalid event name '${name}'` });
}

export function invalidArnError(text: string): S3Error {
  return new S3Error("InvalidArgument", NOTIFICATION_ERROR_MESSAGES.invalidArn, { detail: `invalid ARN '${text}'` });
}

export function arnNotFoundError(arn: string): S3Error {
  return new S3Error("InvalidArgument", NOTIFICATION_ERROR_MESSAGES.invalidArn, { detail: `ARN '${arn}' not found` });
}

export function unknownRegionError(region: string): S3Error {
  return new S3Error("InvalidArgument", NOTIFICATION_ERROR_MESSAGES.unknownRegion, { detail: `unknown region '${region}'` });
}

export function invalidFilterNameError(name: string): S3Error {
  return new S3Error("InvalidArgument", NOTIFICATION_ERROR_MESSAGES.invalidFilterName, { detail: `invalid filter name '${name}'` });
}

export function duplicatePrefixError(): S3Error {
  return new S3Error("InvalidArgument", NOTIFICATION_ERROR_MESSAGES.duplicatePrefix, { detail: "more than one prefix in filter rule" });
}

export function duplicateSuffixError(): S3Error {
  return new S3Error("InvalidArgument", NOTIFICATION_ERROR_MESSAGES.duplicateSuffix, { detail: "more than one suffix in filter rule" });
}

export function invalidFilterValueError(value: string): S3Error {
  return new S3Error("InvalidArgument", NOTIFICATION_ERROR_MESSAGES.invalidFilterValue, { detail: `invalid filter value '${value}'` });
}

export function duplicateEventNameError(name: string): S3Error {
  return new S3Error("InvalidArgument", NOTIFICATION_ERROR_MESSAGES.duplicateEventName, { detail: `duplicate event name '${name}' found` });
}

export function duplicateQueueConfigurationError(queueXml: string): S3Error {
  return new S3Error("InvalidArgument", NOTIFICATION_ERROR_MESSAGES.duplicateQueueConfiguration, {
    detail: `duplicate queue configuration ${queueXml}`,
  });
}

export function unsupportedNotificationError(): S3Error {
  return new S3Error("UnsupportedNotification", NOTIFICATION_ERROR_MESSAGES.unsupportedNotification, {
    detail: "topic or cloud function configuration is not supported",
  });
}

/** Structurally wrong documents (wrong root, QueueConfiguration without Event): MinIO's plain MalformedXML; `detail` is for logs only. */
export function malformedXmlError(detail?: string, cause?: unknown): S3Error {
  return new S3Error("MalformedXML", NOTIFICATION_ERROR_MESSAGES.malformedXml, { detail, cause });
}

/** XML syntax errors: MalformedXML with ` (<detail>)` appended, as MinIO's toAPIError does. */
export function xmlSyntaxError(detail: string, cause?: unknown): S3Error {
  return new S3Error("MalformedXML", `${NOTIFICATION_ERROR_MESSAGES.malformedXml} (${detail})`, { detail, cause });
}

export function missingContentLengthError(): S3Error {
  return new S3Error("MissingContentLength", NOTIFICATION_ERROR_MESSAGES.missingContentLength, { httpStatus: 411 });
}
