import { buildEventRecord, type EventName, type EventRecord } from "@s3notify/core";
import { targetFixture } from "@s3notify/testkit";
import { mysqlPlugin } from "../mysql-plugin.js";

let clock = Date.parse("2026-11-25T18:00:00.000Z");

/** A record as MinIO builds it; event times increase by 1 ms per call. */
export function event(eventName: EventName, bucket: string, key: string, extra: { size?: number; eTag?: string } = {}): EventRecord {
  clock += 1;
  return buildEventRecord({
    eventName,
    bucket,
    key,
    size: extra.size ?? 11,
    eTag: extra.eTag ?? "5eb63bbbe01eeed093cb22bb8f5acdc3",
    contentType: "text/plain",
    eventTime: new Date(clock),
    request: { principalId: "minioadmin", region: "us-east-1", sourceIp: "127.0.0.1", userAgent: "test" },
  });
}

export const put = (bucket: string, key: string, size?: number) => event("s3:ObjectCreated:Put", bucket, key, size === undefined ? {} : { size });
export const remove = (bucket: string, key: string) => event("s3:ObjectRemoved:Delete", bucket, key);

/** KV values to config ({@link fixture.parse}) and to a target ({@link fixture.create}), as core does it. */
export const fixture = targetFixture(mysqlPlugin);
