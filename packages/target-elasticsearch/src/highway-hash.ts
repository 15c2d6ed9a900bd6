// HighwayHash (Alakuijala, Cox, Wassenberg; github.com/google/highwayhash), written from the published
// algorithm. MinIO hashes `bucket/object` with HighwayHash-256 to make namespace document ids.
// Each 64-bit lane is a pair of uint32 words (low word at 2i, high word at 2i+1) so that the hot loop
// stays in small-integer arithmetic (a BigInt version measured about 7 times slower).

const INIT0 = [0xdbe6d5d5fe4cce2fn, 0xa4093822299f31d0n, 0x13198a2e03707344n, 0x243f6a8885a308d3n];
const INIT1 = [0x3bd39e10cb0ef593n, 0xc0acf169b5f18a8cn, 0xbe5466cf34e90c6cn, 0x452821e638d01377n];

function words(lanes: readonly bigint[]): Uint32Array {
  const out = new Uint32Array(8);
  lanes.forEach((lane, index) => {
    out[2 * index] = Number(lane & 0xffffffffn);
    out[2 * index + 1] = Number(lane >> 32n);
  });
  return out;
}

const INIT0_WORDS = words(INIT0);
const INIT1_WORDS = words(INIT1);

interface State {
  readonly v0: Uint32Array;
  readonly v1: Uint32Array;
  readonly mul0: Uint32Array;
  readonly mul1: Uint32Array;
}

/** target[at] += (lo, hi), modulo 2^64. */
function add(target: Uint32Array, at: number, lo: number, hi: number): void {
  const low = ((target[2 * at] as number) + lo) >>> 0;
  const carry = low < lo ? 1 : 0;
  target[2 * at] = low;
  target[2 * at + 1] = ((target[2 * at + 1] as number) + hi + carry) >>> 0;
}

/** target[at] ^= a * b, the full 64-bit product of two uint32 values. */
function xorProduct(target: Uint32Array, at: number, a: number, b: number): void {
  const aLow = a & 0xffff;
  const aHigh = a >>> 16;
  const bLow = b & 0xffff;
  const bHigh = b >>> 16;
  const lowLow = aLow * bLow;
  const lowHigh = aLow * bHigh;
  const highLow = aHigh * bLow;
  const middle = (lowLow >>> 16) + (lowHigh & 0xffff) + (highLow & 0xffff);
  const productLow = ((middle << 16) | (lowLow & 0xffff)) >>> 0;
  const productHigh = (aHigh * bHigh + (lowHigh >>> 16) + (highLow >>> 16) + (middle >>> 16)) >>> 0;
  target[2 * at] = ((target[2 * at] as number) ^ productLow) >>> 0;
  target[2 * at + 1] = ((target[2 * at + 1] as number) ^ productHigh) >>> 0;
}

/**
 * The zipper merge of lanes (x = source[hiLane], y = source[loLane]): a byte shuffle of both, added to
 * target[loLane] (bytes y3 x4 y2 y5 x6 y1 x7 y0) and target[hiLane] (bytes x3 y4 x2 x5 x1 y6 x0 y7).
 */
function zipperMergeAndAdd(source: Uint32Array, target: Uint32Array, hiLane: number, loLane: number): void {
  const xLow = source[2 * hiLane] as number;
  const xHigh = source[2 * hiLane + 1] as number;
  const yLow = source[2 * loLane] as number;
  const yHigh = source[2 * loLane + 1] as number;
  const add0Low = ((yLow >>> 24) | ((xHigh & 0xff) << 8) | (((yLow >>> 16) & 0xff) << 16) | (((yHigh >>> 8) & 0xff) << 24)) >>> 0;
  const add0High = (((xHigh >>> 16) & 0xff) | (((yLow >>> 8) & 0xff) << 8) | ((xHigh >>> 24) << 16) | ((yLow & 0xff) << 24)) >>> 0;
  const add1Low = ((xLow >>> 24) | ((yHigh & 0xff) << 8) | (((xLow >>> 16) & 0xff) << 16) | (((xHigh >>> 8) & 0xff) << 24)) >>> 0;
  const add1High = (((xLow >>> 8) & 0xff) | (((yHigh >>> 16) & 0xff) << 8) | ((xLow & 0xff) << 16) | ((yHigh >>> 24) << 24)) >>> 0;
  add(target, loLane, add0Low, add0High);
  add(target, hiLane, add1Low, add1High);
}

/** One round over four lanes given as 8 words. */
function update(state: State, lanes: Uint32Array): void {
  const { v0, v1, mul0, mul1 } = state;
  for (let lane = 0; lane < 4; lane++) {
    add(v1, lane, mul0[2 * lane] as number, mul0[2 * lane + 1] as number);
    add(v1, lane, lanes[2 * lane] as number, lanes[2 * lane + 1] as number);
    xorProduct(mul0, lane, v1[2 * lane] as number, v0[2 * lane + 1] as number);
    add(v0, lane, mul1[2 * lane] as number, mul1[2 * lane + 1] as number);
    xorProduct(mul1, lane, v0[2 * lane] as number, v1[2 * lane + 1] as number);
  }
  zipperMergeAndAdd(v1, v0, 1, 0);
  zipperMergeAndAdd(v1, v0, 3, 2);
  zipperMergeAndAdd(v0, v1, 1, 0);
  zipperMergeAndAdd(v0, v1, 3, 2);
}

function readPacket(bytes: Uint8Array, offset: number): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 32);
  const lanes = new Uint32Array(8);
  for (let word = 0; word < 8; word++) lanes[word] = view.getUint32(word * 4, true);
  return lanes;
}

function updateRemainder(state: State, bytes: Uint8Array): void {
  const size = bytes.length; // 1..31
  const sizeMod4 = size & 3;
  const remainderStart = size & ~3;
  const packet = new Uint8Array(32);
  for (let lane = 0; lane < 4; lane++) add(state.v0, lane, size, size);
  // Rotate each 32-bit half of v1 left by size.
  for (let word = 0; word < 8; word++) {
    const value = state.v1[word] as number;
    state.v1[word] = ((value << size) | (value >>> (32 - size))) >>> 0;
  }
  packet.set(bytes.subarray(0, remainderStart), 0);
  if (size & 16) {
    for (let index = 0; index < 4; index++) packet[28 + index] = bytes[remainderStart + index + sizeMod4 - 4] as number;
  } else if (sizeMod4) {
    packet[16] = bytes[remainderStart] as number;
    packet[17] = bytes[remainderStart + (sizeMod4 >> 1)] as number;
    packet[18] = bytes[remainderStart + sizeMod4 - 1] as number;
  }
  update(state, readPacket(packet, 0));
}

function absorb(key: Uint8Array, data: Uint8Array): State {
  if (key.length !== 32) throw new RangeError("HighwayHash key must be 32 bytes");
  const keyWords = readPacket(key, 0);
  const state: State = { v0: new Uint32Array(8), v1: new Uint32Array(8), mul0: INIT0_WORDS.slice(), mul1: INIT1_WORDS.slice() };
  for (let lane = 0; lane < 4; lane++) {
    const keyLow = keyWords[2 * lane] as number;
    const keyHigh = keyWords[2 * lane + 1] as number;
    state.v0[2 * lane] = ((INIT0_WORDS[2 * lane] as number) ^ keyLow) >>> 0;
    state.v0[2 * lane + 1] = ((INIT0_WORDS[2 * lane + 1] as number) ^ keyHigh) >>> 0;
    // v1 takes the key with its 32-bit halves swapped.
    state.v1[2 * lane] = ((INIT1_WORDS[2 * lane] as number) ^ keyHigh) >>> 0;
    state.v1[2 * lane + 1] = ((INIT1_WORDS[2 * lane + 1] as number) ^ keyLow) >>> 0;
  }
  const fullLength = data.length - (data.length % 32);
  for (let offset = 0; offset < fullLength; offset += 32) update(state, readPacket(data, offset));
  if (data.length !== fullLength) updateRemainder(state, data.subarray(fullLength));
  return state;
}

/** Permutation input: lanes 2, 3, 0, 1 of v0, each with its halves swapped. */
const PERMUTE_ORDER = [2, 3, 0, 1] as const;

function permuteAndUpdate(state: State, rounds: number): void {
  const permuted = new Uint32Array(8);
  for (let round = 0; round < rounds; round++) {
    const v0 = state.v0;
    for (let lane = 0; lane < 4; lane++) {
      const from = PERMUTE_ORDER[lane] as number;
      permuted[2 * lane] = v0[2 * from + 1] as number;
      permuted[2 * lane + 1] = v0[2 * from] as number;
    }
    update(state, permuted);
  }
}

function lane(words: Uint32Array, at: number): bigint {
  return (BigInt(words[2 * at + 1] as number) << 32n) | BigInt(words[2 * at] as number);
}

/** HighwayHash-64 of `data` under a 32-byte key (shares all but the finalization with the 256-bit hash). */
export function highwayHash64(key: Uint8Array, data: Uint8Array): bigint {
  const state = absorb(key, data);
  permuteAndUpdate(state, 4);
  return (lane(state.v0, 0) + lane(state.v1, 0) + lane(state.mul0, 0) + lane(state.mul1, 0)) & 0xffffffffffffffffn;
}

/** Writes the modular reduction of (a3 a2 a1 a0) into out at word offset `at` (m0 then m1). */
function modularReduction(a3: Uint32Array, a2: Uint32Array, a1: Uint32Array, a0: Uint32Array, out: Uint32Array, at: number): void {
  const a3Low = a3[0] as number;
  const a3High = (a3[1] as number) & 0x3fffffff;
  const a2Low = a2[0] as number;
  const a2High = a2[1] as number;
  out[at] = ((a0[0] as number) ^ (a2Low << 1) ^ (a2Low << 2)) >>> 0;
  out[at + 1] = ((a0[1] as number) ^ ((a2High << 1) | (a2Low >>> 31)) ^ ((a2High << 2) | (a2Low >>> 30))) >>> 0;
  out[at + 2] = ((a1[0] as number) ^ ((a3Low << 1) | (a2High >>> 31)) ^ ((a3Low << 2) | (a2High >>> 30))) >>> 0;
  out[at + 3] = ((a1[1] as number) ^ ((a3High << 1) | (a3Low >>> 31)) ^ ((a3High << 2) | (a3Low >>> 30))) >>> 0;
}

/** (left[at] + right[at]) as a 2-word lane. */
function sum(left: Uint32Array, right: Uint32Array, at: number): Uint32Array {
  const out = new Uint32Array([left[2 * at] as number, left[2 * at + 1] as number]);
  add(out, 0, right[2 * at] as number, right[2 * at + 1] as number);
  return out;
}

/** HighwayHash-256 of `data` under a 32-byte key: 32 bytes, the four 64-bit lanes little-endian. */
export function highwayHash256(key: Uint8Array, data: Uint8Array): Uint8Array {
  const state = absorb(key, data);
  permuteAndUpdate(state, 10);
  const { v0, v1, mul0, mul1 } = state;
  const hash = new Uint32Array(8);
  modularReduction(sum(v1, mul1, 1), sum(v1, mul1, 0), sum(v0, mul0, 1), sum(v0, mul0, 0), hash, 0);
  modularReduction(sum(v1, mul1, 3), sum(v1, mul1, 2), sum(v0, mul0, 3), sum(v0, mul0, 2), hash, 4);
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  for (let word = 0; word < 8; word++) view.setUint32(word * 4, hash[word] as number, true);
  return out;
}
