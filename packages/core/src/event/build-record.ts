import type { EventInput, EventRecord } from "../types.js";
import { isRemovalEvent } from "./event-names.js";
import { sortedMap } from "./go-json.js";
import { queryEscape } from "./object-key.js";

export interface BuildRecordOptions {
  /** Go url.QueryEscape of the key (default): what targets get. False for Listen streams, which get the raw name. */
  readonly escapeKey?: boolean;
  /** The deployment id for `x-minio-deployment-id` when the input's request does not carry one (internal events). */
  readonly deploymentId?: string;
  /** The endpoint for `x-minio-origin-endpoint` when the input's request does not carry one (internal events). */
  readonly originEndpoint?: string;
}

const NANOSECONDS_PER_MILLISECOND = 1_000_000n;

/** Go layout `2006-01-02T15:04:05.000Z`: UTC, exactly three fractional digits. */
export function formatEventTime(date: Date): string {
  return date.toISOString();
}

/** Upper-case hex of Unix nanoseconds, no leading zeros: MinIO's sequencer. */
export function sequencerFor(nanoseconds: bigint): string {
  return nanoseconds.toString(16).toUpperCase();
}

/** MinIO's request id: upper-case hex of the request start time in Unix nanoseconds. */
export function requestIdFor(time: Date | bigint): string {
  return sequencerFor(typeof time === "bigint" ? time : unixNanoseconds(time));
}

function unixNanoseconds(date: Date): bigint {
  return BigInt(date.getTime()) * NANOSECONDS_PER_MILLISECOND;
}

function modTimeNanoseconds(input: EventInput): bigint | undefined {
  if (input.modTimeNanoseconds !== undefined && input.modTimeNanoseconds !== 0n) return input.modTimeNanoseconds;
  if (input.modTime !== undefined && !Number.isNaN(input.modTime.getTime())) return unixNanoseconds(input.modTime);
  return undefined;
}

/**
 * One record exactly as MinIO's ToEvent builds it (facts §2.2): field order,
 * Go map key order, omitted empty fields, and the removal-name rule.
 */
export function buildEventRecord(input: EventInput, options: BuildRecordOptions = {}): EventRecord {
  const eventTime = input.eventTime ?? new Date();
  const request = input.request;
  const principalId = request?.principalId ?? "";
  const region = request?.region ?? "";

  let requestParameters: Record<string, string> | null = null;
  if (request !== undefined) {
    const parameters: Record<string, string> = { principalId, region, sourceIPAddress: request.sourceIp ?? "" };
    // MinIO adds `range` only for a non-empty Range header.
    if (request.range) parameters.range = request.range;
    requestParameters = sortedMap(parameters);
  }

  const responseElements: Record<string, string> = {
    "x-amz-request-id": request?.requestId ?? "",
    "x-amz-id-2": request?.nodeIdHash ?? "",
    "x-minio-origin-endpoint": request?.originEndpoint ?? options.originEndpoint ?? "",
    "x-minio-deployment-id": request?.deploymentId ?? options.deploymentId ?? "",
  };
  if (request?.contentLength !== undefined) responseElements["content-length"] = String(request.contentLength);

  const rawKey = input.key ?? "";
  const stripped = isRemovalEvent(input.eventName);
  const metadata = stripped || input.userMetadata === undefined || Object.keys(input.userMetadata).length === 0 ? undefined : sortedMap(input.userMetadata);
  const object: EventRecord["s3"]["object"] = {
    key: options.escapeKey === false ? rawKey : queryEscape(rawKey),
    ...(!stripped && input.size !== undefined && input.size !== 0 ? { size: input.size } : {}),
    ...(!stripped && input.eTag ? { eTag: input.eTag } : {}),
    ...(!stripped && input.contentType ? { contentType: input.contentType } : {}),
    ...(metadata !== undefined ? { userMetadata: metadata } : {}),
    ...(input.versionId ? { versionId: input.versionId } : {}),
    sequencer: sequencerFor(modTimeNanoseconds(input) ?? unixNanoseconds(eventTime)),
  };

  return {
    eventVersion: "2.0",
    eventSource: "minio:s3",
    awsRegion: region,
    eventTime: formatEventTime(eventTime),
    eventName: input.eventName,
    userIdentity: { principalId },
    requestParameters,
    responseElements: sortedMap(responseElements),
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "Config",
      bucket: { name: input.bucket, ownerIdentity: { principalId }, arn: `arn:aws:s3:::${input.bucket}` },
      object,
    },
    source: { host: input.sourceHost ?? request?.sourceIp ?? "", port: "", userAgent: input.userAgent ?? request?.userAgent ?? "" },
  };
}
