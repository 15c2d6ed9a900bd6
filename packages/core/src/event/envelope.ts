import type { EventRecord, LogEnvelope } from "../types.js";
import { goJson } from "./go-json.js";
import { queryUnescape } from "./object-key.js";
import { recordJson } from "./record-json.js";

/** `<bucket>/<decoded object name>`: the Key of envelopes, Kafka message keys, SQL and Redis keys (facts §2.3). */
export function objectPath(record: EventRecord): string {
  return `${record.s3.bucket.name}/${queryUnescape(record.s3.object.key)}`;
}

/** `{"EventName","Key","Records"}`: what AMQP, MQTT, NATS, NSQ, Kafka and webhook targets publish. */
export function toLogEnvelope(record: EventRecord): LogEnvelope {
  return { EventName: record.eventName, Key: objectPath(record), Records: [record] };
}

/** The envelope JSON, byte-compatible with MinIO: `goJson(toLogEnvelope(record))`, reusing the record's JSON. */
export function logEnvelopeJson(record: EventRecord): string {
  return `{"EventName":${goJson(record.eventName)},"Key":${goJson(objectPath(record))},"Records":[${recordJson(record)}]}`;
}

/** `{"Records":[record]}`: the value the data-store targets write (facts §2.1). */
export function recordsJson(record: EventRecord): string {
  return `{"Records":[${recordJson(record)}]}`;
}
