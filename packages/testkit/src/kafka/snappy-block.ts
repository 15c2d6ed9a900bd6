import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const snappy = require("snappyjs") as { uncompress(input: Buffer): Buffer };
const XERIAL_HEADER = Buffer.from([130, 83, 78, 65, 80, 80, 89, 0]);

/** Decodes a snappy-compressed record batch body: raw snappy, or xerial-framed as the JVM client writes it. */
export function uncompressSnappy(body: Buffer): Buffer {
  if (!body.subarray(0, 8).equals(XERIAL_HEADER)) return Buffer.from(snappy.uncompress(body));
  const chunks: Buffer[] = [];
  for (let offset = 16; offset + 4 <= body.length; ) {
    const size = body.readUInt32BE(offset);
    chunks.push(Buffer.from(snappy.uncompress(body.subarray(offset + 4, offset + 4 + size))));
    offset += 4 + size;
  }
  return Buffer.concat(chunks);
}
