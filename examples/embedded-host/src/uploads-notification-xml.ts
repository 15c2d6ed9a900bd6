/** Events of the rule, and its filter: created and removed `.jpg` objects. */
export const UPLOAD_RULE_EVENTS = ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"] as const;
export const UPLOAD_RULE_SUFFIX = ".jpg";

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * A PutBucketNotification body, as `mc event add uploads <arn> --event put,delete --suffix .jpg` would send it:
 * one `<QueueConfiguration>` per target ARN.
 */
export function uploadsNotificationXml(arns: readonly string[]): string {
  const queues = arns.map(
    (arn, index) => `
  <QueueConfiguration>
    <Id>uploads-jpg-${index + 1}</Id>
    <Queue>${escapeXml(arn)}</Queue>
${UPLOAD_RULE_EVENTS.map((event) => `    <Event>${event}</Event>`).join("\n")}
    <Filter>
      <S3Key>
        <FilterRule><Name>suffix</Name><Value>${escapeXml(UPLOAD_RULE_SUFFIX)}</Value></FilterRule>
      </S3Key>
    </Filter>
  </QueueConfiguration>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${queues.join("")}
</NotificationConfiguration>
`;
}
