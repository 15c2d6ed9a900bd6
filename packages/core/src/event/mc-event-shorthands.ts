import { S3NotifyError } from "../errors/s3notify-error.js";
import type { RuleEventName } from "../types.js";

/**
 * `mc event add --event` / `mc watch --events` tokens and the server names they
 * send (minio/mc client-s3.go, facts §1.3). `scanner` leaves out LargeVersions,
 * and the two bucket tokens only exist for `mc watch`, both as in mc.
 */
export const MC_EVENT_SHORTHANDS: Readonly<Record<string, readonly RuleEventName[]>> = Object.freeze({
  put: Object.freeze(["s3:ObjectCreated:*"] as const),
  delete: Object.freeze(["s3:ObjectRemoved:*"] as const),
  get: Object.freeze(["s3:ObjectAccessed:*"] as const),
  replica: Object.freeze(["s3:Replication:*"] as const),
  ilm: Object.freeze(["s3:ObjectRestore:*", "s3:ObjectTransition:*"] as const),
  scanner: Object.freeze(["s3:Scanner:ManyVersions", "s3:Scanner:BigPrefix"] as const),
  "bucket-creation": Object.freeze(["s3:BucketCreated:*"] as const),
  "bucket-removal": Object.freeze(["s3:BucketRemoved:*"] as const),
});

/**
 * Turns an mc event list (`put,delete,get`) into server event names, in token
 * order. Split on `,` without trimming, as mc does; an unknown token throws.
 */
export function parseMcEventList(list: string): RuleEventName[] {
  const names: RuleEventName[] = [];
  for (const token of list.split(",")) {
    const expansion = Object.hasOwn(MC_EVENT_SHORTHANDS, token) ? MC_EVENT_SHORTHANDS[token] : undefined;
    if (expansion === undefined) {
      const known = Object.keys(MC_EVENT_SHORTHANDS).join(", ");
      throw new S3NotifyError("S3NOTIFY_ERR_INVALID_EVENT_SHORTHAND", `unknown event type '${token}' (known: ${known})`);
    }
    names.push(...expansion);
  }
  return names;
}
