import { describe, expect, it } from "vitest";
import { crc32c } from "./crc32c.js";

function bitwise(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

describe("crc32c", () => {
  it("matches the published check value and a bit-by-bit reference", () => {
    expect(crc32c(Buffer.from("123456789"))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32))).toBe(0x8a9136aa);
    for (const length of [0, 1, 7, 8, 9, 15, 16, 17, 100, 1031]) {
      const bytes = Buffer.from(Array.from({ length }, (_unused, index) => (index * 131 + length) & 0xff));
      expect(crc32c(bytes), String(length)).toBe(bitwise(bytes));
    }
  });

  it("continues from a seed over a range", () => {
    const bytes = Buffer.from("hello, event log");
    expect(crc32c(bytes, 5, bytes.length, crc32c(bytes, 0, 5))).toBe(crc32c(bytes));
  });
});
