import { invalidEventNameError } from "../s3/notification-errors.js";
import type { EventName, RuleEventName, WildcardEventName } from "../types.js";

/** Every concrete event name in MinIO's enum order (facts §1.1); the index is the bit of `eventNameMask`. */
export const EVENT_NAMES: readonly EventName[] = Object.freeze([
  "s3:ObjectAccessed:Get",
  "s3:ObjectAccessed:GetRetention",
  "s3:ObjectAccessed:GetLegalHold",
  "s3:ObjectAccessed:Head",
  "s3:ObjectAccessed:Attributes",
  "s3:ObjectCreated:CompleteMultipartUpload",
  "s3:ObjectCreated:Copy",
  "s3:ObjectCreated:Post",
  "s3:ObjectCreated:Put",
  "s3:ObjectCreated:PutRetention",
  "s3:ObjectCreated:PutLegalHold",
  "s3:ObjectCreated:PutTagging",
  "s3:ObjectCreated:DeleteTagging",
  "s3:ObjectRemoved:Delete",
  "s3:ObjectRemoved:DeleteMarkerCreated",
  "s3:ObjectRemoved:DeleteAllVersions",
  "s3:ObjectRemoved:NoOP",
  "s3:BucketCreated:*",
  "s3:BucketRemoved:*",
  "s3:Replication:OperationFailedReplication",
  "s3:Replication:OperationCompletedReplication",
  "s3:Replication:OperationMissedThreshold",
  "s3:Replication:OperationReplicatedAfterThreshold",
  "s3:Replication:OperationNotTracked",
  "s3:ObjectRestore:Post",
  "s3:ObjectRestore:Completed",
  "s3:ObjectTransition:Failed",
  "s3:ObjectTransition:Complete",
  "s3:Scanner:ManyVersions",
  "s3:Scanner:LargeVersions",
  "s3:Scanner:BigPrefix",
  "s3:LifecycleDelMarkerExpiration:Delete",
] as const);

/** The wildcard names users may write, each with its expansion in MinIO's order (facts §1.2). */
export const WILDCARD_EVENT_NAMES: Readonly<Record<WildcardEventName, readonly EventName[]>> = Object.freeze({
  "s3:ObjectAccessed:*": Object.freeze([
    "s3:ObjectAccessed:Get",
    "s3:ObjectAccessed:Head",
    "s3:ObjectAccessed:GetRetention",
    "s3:ObjectAccessed:GetLegalHold",
    "s3:ObjectAccessed:Attributes",
  ] as const),
  "s3:ObjectCreated:*": Object.freeze([
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:PutRetention",
    "s3:ObjectCreated:PutLegalHold",
    "s3:ObjectCreated:PutTagging",
    "s3:ObjectCreated:DeleteTagging",
  ] as const),
  "s3:ObjectRemoved:*": Object.freeze([
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRemoved:NoOP",
    "s3:ObjectRemoved:DeleteAllVersions",
  ] as const),
  "s3:Replication:*": Object.freeze([
    "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationCompletedReplication",
    "s3:Replication:OperationNotTracked",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold",
  ] as const),
  "s3:ObjectRestore:*": Object.freeze(["s3:ObjectRestore:Post", "s3:ObjectRestore:Completed"] as const),
  "s3:ObjectTransition:*": Object.freeze(["s3:ObjectTransition:Failed", "s3:ObjectTransition:Complete"] as const),
});

const CONCRETE_INDEX: ReadonlyMap<string, number> = new Map(EVENT_NAMES.map((name, index) => [name, index]));

/** Whether `text` is a concrete event name (exact, case-sensitive). */
export function isEventName(text: string): text is EventName {
  return CONCRETE_INDEX.has(text);
}

/** Whether `text` is one of the six wildcard names. */
export function isWildcardEventName(text: string): text is WildcardEventName {
  return Object.hasOwn(WILDCARD_EVENT_NAMES, text);
}

/**
 * MinIO's ParseName: an exact, case-sensitive match without trimming. Anything
 * else (`s3:Scanner:*`, padded or empty text) is an InvalidArgument S3 error.
 */
export function parseEventName(text: string): RuleEventName {
  if (isEventName(text) || isWildcardEventName(text)) return text;
  throw invalidEventNameError(text);
}

/** The concrete names a rule name stands for: itself, or a wildcard's members in MinIO's order. */
export function expandEventName(name: RuleEventName): EventName[] {
  if (isWildcardEventName(name)) return [...WILDCARD_EVENT_NAMES[name]];
  return [name];
}

/** Only these three names strip size, eTag, contentType and userMetadata from a record (MinIO's isRemovedEvent). */
export function isRemovalEvent(name: EventName): boolean {
  return name === "s3:ObjectRemoved:Delete" || name === "s3:ObjectRemoved:DeleteMarkerCreated" || name === "s3:ObjectRemoved:NoOP";
}

/** The bit of a concrete name in a 32-bit event mask (MinIO's enum order); 0 for anything else, which no mask holds. */
export function eventNameBit(name: string): number {
  const index = CONCRETE_INDEX.get(name);
  return index === undefined ? 0 : (1 << index) >>> 0;
}

/** A 32-bit mask of every concrete name the given rule names cover, for fast membership tests (Listen streams). */
export function eventNameMask(names: Iterable<RuleEventName>): number {
  let mask = 0;
  for (const name of names) for (const concrete of expandEventName(name)) mask = (mask | eventNameBit(concrete)) >>> 0;
  return mask;
}

/** Whether `mask` (from `eventNameMask`) covers `name`. */
export function maskHasEventName(mask: number, name: string): boolean {
  return (mask & eventNameBit(name)) !== 0;
}
