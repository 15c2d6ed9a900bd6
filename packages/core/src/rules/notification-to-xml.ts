import type { NotificationConfiguration, QueueConfiguration } from "../types.js";
import { formatArn } from "./arn.js";
import { escapeXmlText } from "./xml-tree.js";

export const S3_XML_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

/**
 * The GetBucketNotification body as MinIO marshals it (facts §3.1): no XML
 * declaration, xmlns set, per entry Id (always), Filter (only with rules),
 * each Event, then Queue with the ARN's region replaced by `region`.
 */
export function notificationToXml(configuration: NotificationConfiguration | undefined, region: string): string {
  let xml = `<NotificationConfiguration xmlns="${S3_XML_NAMESPACE}">`;
  for (const queue of configuration?.queues ?? []) xml += queueConfigurationToXml({ ...queue, arn: { ...queue.arn, region } });
  return `${xml}</NotificationConfiguration>`;
}

/** One `<QueueConfiguration>` element, ARN as stored. */
export function queueConfigurationToXml(queue: QueueConfiguration): string {
  let xml = `<QueueConfiguration><Id>${escapeXmlText(queue.id)}</Id>`;
  if (queue.filterRules.length > 0) {
    xml += "<Filter><S3Key>";
    for (const rule of queue.filterRules) {
      xml += `<FilterRule><Name>${escapeXmlText(rule.name)}</Name><Value>${escapeXmlText(rule.value)}</Value></FilterRule>`;
    }
    xml += "</S3Key></Filter>";
  }
  for (const event of queue.events) xml += `<Event>${escapeXmlText(event)}</Event>`;
  return `${xml}<Queue>${escapeXmlText(formatArn(queue.arn))}</Queue></QueueConfiguration>`;
}
