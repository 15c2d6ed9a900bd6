import { describe, expect, it } from "vitest";
import { fnv1a32, saramaPartition } from "./sarama-partitioner.js";

const bytes = (text: string) => Buffer.from(text, "utf8");

describe("sarama's hash partitioner", () => {
  it("hashes with FNV-1a 32 (the published test vectors)", () => {
    expect(fnv1a32(bytes(""))).toBe(0x811c9dc5);
    expect(fnv1a32(bytes("a"))).toBe(0xe40c292c);
    expect(fnv1a32(bytes("foobar"))).toBe(0xbf9cf968);
  });

  // Expected partitions computed separately with Go's int32 remainder (sign of the dividend), then negated.
  it.each([
    ["images/myphoto.jpg", 0x1f9bc84f, [0, 1, 0, 3, 0, 2, 3]],
    ["photos/2024/holiday/IMG_0000001.jpg", 0xacfe297b, [0, 1, 2, 1, 1, 3, 5]],
    ["b/ü日本.txt", 0xebd5cb6b, [0, 1, 2, 1, 3, 6, 5]],
    ["logs/a", 0x1a70dcde, [0, 0, 1, 2, 0, 1, 10]],
    ["logs/c", 0x1870d9b8, [0, 0, 0, 0, 2, 5, 0]],
  ] as const)("%s → partitions for 1, 2, 3, 4, 5, 7 and 12 partitions", (key, hash, partitions) => {
    expect(fnv1a32(bytes(key))).toBe(hash);
    expect([1, 2, 3, 4, 5, 7, 12].map((count) => saramaPartition(bytes(key), count))).toEqual(partitions);
  });
});
