import type { NotificationConfiguration, RulesValidationContext } from "../types.js";

/**
 * What GetBucketNotification shows (facts §3.1): every ARN in the server
 * region, and the entries of the first ARN whose target is gone left out.
 * MinIO drops only that one ARN per request; so do we, though without the
 * skipped-neighbour slip of its remove-while-iterating loop.
 */
export function visibleNotification(configuration: NotificationConfiguration, context: RulesValidationContext): NotificationConfiguration {
  const queues = configuration.queues.map((queue) => ({ ...queue, arn: { ...queue.arn, region: context.region } }));
  const stale = queues.find((queue) => !context.targetExists({ id: queue.arn.id, type: queue.arn.type }));
  if (stale === undefined) return { queues };
  return { queues: queues.filter((queue) => queue.arn.id !== stale.arn.id || queue.arn.type !== stale.arn.type) };
}
