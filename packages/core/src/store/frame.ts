import { crc32c } from "./crc32c.js";

/** Frame layout: magic u32 | payload length u32 | position u64 | CRC-32C u32 (of bytes 4..16 and the payload) | payload. */
export const FRAME_MAGIC = 0xd53e4c01;
export const FRAME_HEADER_BYTES = 20;
/** A frame larger than this is a corrupt length, not an event. */
export const MAX_FRAME_PAYLOAD = 64 * 1024 * 1024;

export function encodeFrame(position: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(FRAME_MAGIC, 0);
  frame.writeUInt32BE(payload.length, 4);
  frame.writeBigUInt64BE(BigInt(position), 8);
  payload.copy(frame, FRAME_HEADER_BYTES);
  frame.writeUInt32BE(crc32c(payload, 0, payload.length, crc32c(frame, 4, 16)), 16);
  return frame;
}

export interface DecodedFrame {
  readonly position: number;
  /** Bytes of the whole frame. */
  readonly size: number;
  readonly payloadStart: number;
  readonly payloadEnd: number;
}

/** The frame at `offset` when it is whole and its checksum holds; undefined otherwise. */
export function decodeFrame(bytes: Buffer, offset: number, end = bytes.length): DecodedFrame | undefined {
  if (end - offset < FRAME_HEADER_BYTES) return undefined;
  if (bytes.readUInt32BE(offset) !== FRAME_MAGIC) return undefined;
  const length = bytes.readUInt32BE(offset + 4);
  if (length > MAX_FRAME_PAYLOAD || offset + FRAME_HEADER_BYTES + length > end) return undefined;
  const payloadStart = offset + FRAME_HEADER_BYTES;
  const expected = bytes.readUInt32BE(offset + 16);
  if (crc32c(bytes, payloadStart, payloadStart + length, crc32c(bytes, offset + 4, offset + 16)) !== expected) return undefined;
  return {
    position: Number(bytes.readBigUInt64BE(offset + 8)),
    size: FRAME_HEADER_BYTES + length,
    payloadStart,
    payloadEnd: payloadStart + length,
  };
}

const MAGIC_BYTES = Buffer.from([0xd5, 0x3e, 0x4c, 0x01]);

/** The next offset after `from` where a valid frame starts, or undefined. */
export function nextValidFrame(bytes: Buffer, from: number, end = bytes.length): number | undefined {
  let candidate = bytes.indexOf(MAGIC_BYTES, from);
  while (candidate !== -1 && candidate < end) {
    if (decodeFrame(bytes, candidate, end)) return candidate;
    candidate = bytes.indexOf(MAGIC_BYTES, candidate + 1);
  }
  return undefined;
}
