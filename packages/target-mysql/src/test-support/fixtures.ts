import { buildEventRecord, type EventName, type EventRecord, silentLogger } from "@s3notify/core";
import { fullTargetValues } from "@s3notify/testkit";
import { mysqlPlugin } from "../mysql-plugin.js";
import type { MysqlTarget } from "../mysql-target.js";
import type { MysqlTargetConfig } from "../types.js";

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

/** Raw KV values as core hands them to parseConfig: every key at its default, overridden by `values`. */
export function rawConfig(values: Record<string, string>): Record<string, string> {
  return fullTargetValues(mysqlPlugin, values);
}

export function parse(values: Record<string, string>, targetId = "1"): MysqlTargetConfig {
  return mysqlPlugin.parseConfig(rawConfig(values), { targetId, subsystem: "notify_mysql" });
}

export function makeTarget(values: Record<string, string>, targetId = "1"): MysqlTarget {
  const target = mysqlPlugin.create(parse(values, targetId), { targetId: { id: targetId, type: "mysql" }, logger: silentLogger });
  return target as MysqlTarget;
}

/** Poll `check` until it returns true or the deadline passes. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
