import type { NotificationConfiguration, RulesValidationContext } from "../types.js";
import { decodeNotification } from "./decode-notification.js";
import { validateNotification } from "./validate-notification.js";
import { parseXmlRoot } from "./xml-tree.js";

/**
 * A PutBucketNotification body → rules, with MinIO's checks and S3 errors
 * (facts §3.2–3.4). With `context` the ARNs are checked against the server
 * region and the live targets, and take the server region, as MinIO stores them.
 * Element names are matched by local name; unknown elements are ignored; text
 * is kept exactly (no trimming), as Go's decoder does.
 */
export function parseNotificationXml(xml: string, context?: RulesValidationContext): NotificationConfiguration {
  const configuration = decodeNotification(parseXmlRoot(xml));
  return context === undefined ? configuration : validateNotification(configuration, context);
}
