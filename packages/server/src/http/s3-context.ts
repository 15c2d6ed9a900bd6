import type { IncomingMessage, ServerResponse } from "node:http";
import type { EventInput, EventName, Logger } from "@s3notify/core";
import type { AuthResult } from "../auth/sigv4-verifier.js";
import type { ListenHub } from "../events/listen-hub.js";
import type { FileObjectStore, ObjectInfo } from "../storage/file-object-store.js";

/** What the S3 operations need from the host. */
export interface NotificationService {
  /** Routes one event to the configured targets and to Listen streams. Never throws. */
  publish(input: EventInput): Promise<void>;
  /** Validates, stores and applies a bucket's rules (PutBucketNotification). Throws S3Error. */
  putBucketNotification(bucket: string, xml: string): Promise<void>;
  /** The bucket's rules as XML (GetBucketNotification). */
  getBucketNotification(bucket: string): string;
  /** Forgets a deleted bucket's rules. */
  removeBucket(bucket: string): Promise<void>;
}

export interface S3HostDependencies {
  readonly store: FileObjectStore;
  readonly notifications: NotificationService;
  readonly listen: ListenHub;
  /** Server region, "" by default (MinIO's default). */
  readonly region: string;
  readonly logger: Logger;
}

/** The request-scoped facts MinIO puts into an event record. */
export type EventRequest = NonNullable<EventInput["request"]>;

export interface S3Call {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly requestId: string;
  readonly bucket: string;
  readonly key: string;
  readonly query: Record<string, string | string[]>;
  readonly auth: AuthResult;
  readonly eventRequest: EventRequest;
  readonly host: S3HostDependencies;
}

export function queryValue(query: Record<string, string | string[]>, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[0] : value;
}

export function queryValues(query: Record<string, string | string[]>, name: string): string[] {
  const value = query[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Everything MinIO stores as event `userMetadata`: X-Amz-Meta-* plus lower-case content-type and stored headers. */
export function eventMetadata(info: ObjectInfo): Record<string, string> {
  return { ...info.userMetadata, ...info.headers, "content-type": info.contentType };
}

/** Emits an event for an object (or a bucket when `info` is absent), with request facts. */
export async function emitEvent(
  call: S3Call,
  eventName: EventName,
  options: { info?: ObjectInfo | undefined; key?: string; range?: string; contentLength?: number } = {},
): Promise<void> {
  // Replica writes and deletes produce no event at all (MinIO's suppression rule).
  if (call.request.headers["x-minio-source-replication-request"] !== undefined) return;
  const info = options.info;
  const input: EventInput = {
    eventName,
    bucket: call.bucket,
    key: options.key ?? info?.key ?? call.key,
    ...(info
      ? {
          size: info.size,
          eTag: info.etag,
          contentType: info.contentType,
          userMetadata: eventMetadata(info),
          modTimeNanoseconds: BigInt(info.modTimeNs),
        }
      : {}),
    request: {
      ...call.eventRequest,
      ...(options.range !== undefined ? { range: options.range } : {}),
      ...(options.contentLength !== undefined ? { contentLength: options.contentLength } : {}),
    },
  };
  await call.host.notifications.publish(input);
}
