import type { ICustomPartitioner } from "kafkajs";

/** FNV-1a, 32 bits, of the bytes (Go's hash/fnv New32a). */
export function fnv1a32(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

/**
 * The partition MinIO's producer picks for a key: sarama's default hash partitioner,
 * `int32(fnv1a32(key)) % partitions`, negated when negative (Go's remainder keeps the dividend's sign).
 * kafkajs's own default (murmur2, as the Java client) would spread the same keys differently.
 */
export function saramaPartition(key: Uint8Array, partitions: number): number {
  // Math.abs also turns JavaScript's -0 (a negative hash that divides evenly) into 0.
  return Math.abs((fnv1a32(key) | 0) % partitions);
}

/** A kafkajs partitioner that sends every key where MinIO (sarama) would. Keys are never null here. */
export const saramaHashPartitioner: ICustomPartitioner = () => {
  return ({ partitionMetadata, message }) => {
    if (partitionMetadata.length <= 1) return partitionMetadata[0]?.partitionId ?? 0;
    const ids = partitionMetadata.map((partition) => partition.partitionId).sort((left, right) => left - right);
    const key = message.key ?? "";
    const bytes = typeof key === "string" ? Buffer.from(key, "utf8") : key;
    return ids[saramaPartition(bytes, ids.length)] as number;
  };
};
