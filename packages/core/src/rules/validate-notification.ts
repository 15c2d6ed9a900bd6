import { arnNotFoundError, unknownRegionError } from "../s3/notification-errors.js";
import type { NotificationConfiguration, RulesValidationContext } from "../types.js";
import { formatArn } from "./arn.js";

/**
 * MinIO's Config.Validate then SetRegion (facts §3.3 steps 2–3): per entry in
 * order, the region check (only when both regions are set) and that the
 * target exists; then every ARN takes the server's region.
 */
export function validateNotification(configuration: NotificationConfiguration, context: RulesValidationContext): NotificationConfiguration {
  for (const queue of configuration.queues) {
    const { arn } = queue;
    if (arn.region !== "" && context.region !== "" && arn.region !== context.region) throw unknownRegionError(arn.region);
    if (!context.targetExists({ id: arn.id, type: arn.type })) throw arnNotFoundError(formatArn(arn));
  }
  return { queues: configuration.queues.map((queue) => ({ ...queue, arn: { ...queue.arn, region: context.region } })) };
}
