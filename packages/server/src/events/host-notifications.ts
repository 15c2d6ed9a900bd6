import {
  buildEventRecord,
  type EventInput,
  type Logger,
  type NotificationConfiguration,
  type Notifier,
  notificationToXml,
  parseNotificationXml,
} from "@s3notify/core";
import type { NotificationService } from "../http/s3-context.js";
import type { FileObjectStore } from "../storage/file-object-store.js";
import type { ListenHub } from "./listen-hub.js";

const RULES_FILE = "notification.xml";

/**
 * Bucket rules (persisted as each bucket's notification.xml under the data dir, as MinIO keeps it
 * in bucket metadata) and event fan-out to the notifier's targets and to Listen streams.
 */
export class HostNotifications implements NotificationService {
  private notifierRef: Notifier;

  constructor(
    private readonly store: FileObjectStore,
    private readonly listen: ListenHub,
    notifier: Notifier,
    private readonly region: string,
    private readonly logger: Logger,
  ) {
    this.notifierRef = notifier;
  }

  get notifier(): Notifier {
    return this.notifierRef;
  }

  /** Reads every bucket's stored rules into the notifier (start-up). */
  async load(): Promise<void> {
    for (const bucket of await this.store.listBuckets()) {
      const xml = await this.store.readSystemFile(["buckets", bucket.name, RULES_FILE]);
      if (xml === undefined) continue;
      try {
        // Stored rules were valid when written; a target removed since is skipped when events match.
        const configuration = parseNotificationXml(xml);
        this.notifier.setBucketRules(bucket.name, configuration);
      } catch (error) {
        this.logger.error("stored bucket notification rules are unreadable; ignored", {
          bucket: bucket.name,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  async publish(input: EventInput): Promise<void> {
    const key = input.key ?? "";
    if (this.listen.size > 0 && this.listen.wants(input.bucket, input.eventName, key)) {
      this.listen.publish(buildEventRecord(input, { escapeKey: false }), key);
    }
    try {
      const result = await this.notifier.publish(input);
      for (const refused of result.refused)
        this.logger.warn("event refused by target", { targetId: refused.targetId, reason: refused.reason, eventName: input.eventName });
    } catch (error) {
      this.logger.error("event publish failed", {
        eventName: input.eventName,
        bucket: input.bucket,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  async putBucketNotification(bucket: string, xml: string): Promise<void> {
    const configuration = parseNotificationXml(xml, this.notifier.validationContext());
    const rendered = notificationToXml(configuration, this.region);
    if (configuration.queues.length === 0) await this.store.removeSystemFile(["buckets", bucket, RULES_FILE]);
    else await this.store.writeSystemFile(["buckets", bucket, RULES_FILE], rendered);
    this.notifier.setBucketRules(bucket, configuration);
  }

  getBucketNotification(bucket: string): string {
    const configuration: NotificationConfiguration = this.notifier.getBucketRules(bucket) ?? { queues: [] };
    // Entries whose target is gone are hidden (MinIO drops them from the response).
    const context = this.notifier.validationContext();
    const live = configuration.queues.filter((queue) => context.targetExists({ id: queue.arn.id, type: queue.arn.type }));
    return notificationToXml({ queues: live }, this.region);
  }

  async removeBucket(bucket: string): Promise<void> {
    this.notifier.removeBucketRules(bucket);
    await this.store.removeSystemFile(["buckets", bucket, RULES_FILE]);
  }
}
