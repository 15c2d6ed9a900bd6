import type { ServerResponse } from "node:http";
import type { EventName, EventRecord } from "@s3notify/core";
import { matchSimple } from "@s3notify/core";

/** One ListenBucketNotification stream (facts §8). */
export interface ListenSubscription {
  /** Undefined for the global `GET /?events=` stream. */
  readonly bucket: string | undefined;
  readonly events: ReadonlySet<EventName>;
  readonly pattern: string;
  readonly response: ServerResponse;
}

/** Largest backlog a slow listener may hold; beyond it events are dropped, as MinIO does. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** Fans events out to the open Listen streams; publishing never blocks on a slow client. */
export class ListenHub {
  private readonly subscriptions = new Set<ListenSubscription>();

  add(subscription: ListenSubscription): () => void {
    this.subscriptions.add(subscription);
    return () => {
      this.subscriptions.delete(subscription);
    };
  }

  get size(): number {
    return this.subscriptions.size;
  }

  /** True when some stream wants this event, so the caller can skip building the record. */
  wants(bucket: string, eventName: EventName, key: string): boolean {
    for (const subscription of this.subscriptions) if (this.matches(subscription, bucket, eventName, key)) return true;
    return false;
  }

  private matches(subscription: ListenSubscription, bucket: string, eventName: EventName, key: string): boolean {
    if (subscription.bucket !== undefined && subscription.bucket !== bucket) return false;
    if (!subscription.events.has(eventName)) return false;
    return matchSimple(subscription.pattern, key);
  }

  publish(record: EventRecord, rawKey: string): void {
    let line: string | undefined;
    for (const subscription of this.subscriptions) {
      if (!this.matches(subscription, record.s3.bucket.name, record.eventName, rawKey)) continue;
      const response = subscription.response;
      if (response.destroyed || response.writableEnded) continue;
      if (response.writableLength > MAX_BUFFERED_BYTES) continue;
      line ??= `${JSON.stringify({ Records: [record] })}\n`;
      response.write(line);
    }
  }

  /** Ends every stream (server shutdown). */
  closeAll(): void {
    for (const subscription of this.subscriptions) subscription.response.end();
    this.subscriptions.clear();
  }
}
