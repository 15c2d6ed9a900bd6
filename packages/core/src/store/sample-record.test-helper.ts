import type { EventRecord } from "../types.js";

/** A small valid record for store and dispatcher tests. */
export function sampleRecord(key: string, bucket = "photos"): EventRecord {
  return {
    eventVersion: "2.0",
    eventSource: "minio:s3",
    awsRegion: "",
    eventTime: "2024-01-01T00:00:00.000Z",
    eventName: "s3:ObjectCreated:Put",
    userIdentity: { principalId: "minio" },
    requestParameters: null,
    responseElements: {},
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "Config",
      bucket: { name: bucket, ownerIdentity: { principalId: "minio" }, arn: `arn:aws:s3:::${bucket}` },
      object: { key, sequencer: "17A" },
    },
    source: { host: "", port: "", userAgent: "" },
  };
}

export function keysOf(entries: readonly { record: EventRecord }[]): string[] {
  return entries.map((entry) => entry.record.s3.object.key);
}
