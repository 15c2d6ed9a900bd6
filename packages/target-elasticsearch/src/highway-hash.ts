// HighwayHash-256 (Alakuijala, Cox, Wassenberg; github.com/google/highwayhash), written from the
// published algorithm with BigInt lanes. MinIO hashes `bucket/object` with it to make namespace
// document ids; one hash costs a few microseconds, far below one Elasticsearch round trip.

const MASK64 = (1n << 64n) - 1n;
const MASK32 = 0xffffffffn;

const INIT0 = [0xdbe6d5d5fe4cce2fn, 0xa4093822299f31d0n, 0x13198a2e03707344n, 0x243f6a8885a308d3n];
const INIT1 = [0x3bd39e10cb0ef593n, 0xc0acf169b5f18a8cn, 0xbe5466cf34e90c6cn, 0x452821e638d01377n];

interface State {
  v0: bigint[];
  v1: bigint[];
  mul0: bigint[];
  mul1: bigint[];
}

function rotate64By32(value: bigint): bigint {
  return ((value >> 32n) | (value << 32n)) & MASK64;
}

function readLanes(bytes: Uint8Array, offset: number): bigint[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 32);
  return [0, 8, 16, 24].map((at) => view.getBigUint64(at, true));
}

function newState(key: Uint8Array): State {
  const keyLanes = readLanes(key, 0);
  const state: State = { v0: [], v1: [], mul0: [...INIT0], mul1: [...INIT1] };
  for (let lane = 0; lane < 4; lane++) {
    const keyLane = keyLanes[lane] as bigint;
    state.v0[lane] = (INIT0[lane] as bigint) ^ keyLane;
    state.v1[lane] = (INIT1[lane] as bigint) ^ rotate64By32(keyLane);
  }
  return state;
}

/** Adds the zipper-merged bytes of (v1, v0) to target[hi] and target[lo]. */
function zipperMergeAndAdd(v1: bigint, v0: bigint, target: bigint[], hi: number, lo: number): void {
  const add0 =
    (((v0 & 0xff000000n) | (v1 & 0xff00000000n)) >> 24n) |
    (((v0 & 0xff0000000000n) | (v1 & 0xff000000000000n)) >> 16n) |
    (v0 & 0xff0000n) |
    ((v0 & 0xff00n) << 32n) |
    ((v1 & 0xff00000000000000n) >> 8n) |
    ((v0 << 56n) & MASK64);
  const add1 =
    (((v1 & 0xff000000n) | (v0 & 0xff00000000n)) >> 24n) |
    (v1 & 0xff0000n) |
    ((v1 & 0xff0000000000n) >> 16n) |
    ((v1 & 0xff00n) << 24n) |
    ((v0 & 0xff000000000000n) >> 8n) |
    ((v1 & 0xffn) << 48n) |
    (v0 & 0xff00000000000000n);
  target[lo] = ((target[lo] as bigint) + add0) & MASK64;
  target[hi] = ((target[hi] as bigint) + add1) & MASK64;
}

function update(state: State, lanes: readonly bigint[]): void {
  const { v0, v1, mul0, mul1 } = state;
  for (let lane = 0; lane < 4; lane++) {
    v1[lane] = ((v1[lane] as bigint) + (mul0[lane] as bigint) + (lanes[lane] as bigint)) & MASK64;
    mul0[lane] = ((mul0[lane] as bigint) ^ (((v1[lane] as bigint) & MASK32) * ((v0[lane] as bigint) >> 32n))) & MASK64;
    v0[lane] = ((v0[lane] as bigint) + (mul1[lane] as bigint)) & MASK64;
    mul1[lane] = ((mul1[lane] as bigint) ^ (((v0[lane] as bigint) & MASK32) * ((v1[lane] as bigint) >> 32n))) & MASK64;
  }
  zipperMergeAndAdd(v1[1] as bigint, v1[0] as bigint, v0, 1, 0);
  zipperMergeAndAdd(v1[3] as bigint, v1[2] as bigint, v0, 3, 2);
  zipperMergeAndAdd(v0[1] as bigint, v0[0] as bigint, v1, 1, 0);
  zipperMergeAndAdd(v0[3] as bigint, v0[2] as bigint, v1, 3, 2);
}

function rotate32By(count: bigint, lanes: bigint[]): void {
  for (let lane = 0; lane < 4; lane++) {
    const value = lanes[lane] as bigint;
    const half0 = value & MASK32;
    const half1 = value >> 32n;
    const rotated0 = ((half0 << count) | (half0 >> (32n - count))) & MASK32;
    const rotated1 = ((half1 << count) | (half1 >> (32n - count))) & MASK32;
    lanes[lane] = (rotated1 << 32n) | rotated0;
  }
}

function updateRemainder(state: State, bytes: Uint8Array): void {
  const size = bytes.length; // 1..31
  const sizeMod4 = size & 3;
  const remainderStart = size & ~3;
  const packet = new Uint8Array(32);
  const sizeLane = BigInt(size);
  for (let lane = 0; lane < 4; lane++) state.v0[lane] = ((state.v0[lane] as bigint) + ((sizeLane << 32n) + sizeLane)) & MASK64;
  rotate32By(sizeLane, state.v1);
  packet.set(bytes.subarray(0, remainderStart), 0);
  if (size & 16) {
    for (let index = 0; index < 4; index++) packet[28 + index] = bytes[remainderStart + index + sizeMod4 - 4] as number;
  } else if (sizeMod4) {
    packet[16] = bytes[remainderStart] as number;
    packet[17] = bytes[remainderStart + (sizeMod4 >> 1)] as number;
    packet[18] = bytes[remainderStart + sizeMod4 - 1] as number;
  }
  update(state, readLanes(packet, 0));
}

function modularReduction(a3Unmasked: bigint, a2: bigint, a1: bigint, a0: bigint): [bigint, bigint] {
  const a3 = a3Unmasked & 0x3fffffffffffffffn;
  const m1 = (a1 ^ (((a3 << 1n) | (a2 >> 63n)) & MASK64) ^ (((a3 << 2n) | (a2 >> 62n)) & MASK64)) & MASK64;
  const m0 = (a0 ^ ((a2 << 1n) & MASK64) ^ ((a2 << 2n) & MASK64)) & MASK64;
  return [m1, m0];
}

function absorb(key: Uint8Array, data: Uint8Array): State {
  if (key.length !== 32) throw new RangeError("HighwayHash key must be 32 bytes");
  const state = newState(key);
  const fullLength = data.length - (data.length % 32);
  for (let offset = 0; offset < fullLength; offset += 32) update(state, readLanes(data, offset));
  if (data.length !== fullLength) updateRemainder(state, data.subarray(fullLength));
  return state;
}

function permuteAndUpdate(state: State, rounds: number): void {
  for (let round = 0; round < rounds; round++) {
    const v0 = state.v0;
    update(state, [rotate64By32(v0[2] as bigint), rotate64By32(v0[3] as bigint), rotate64By32(v0[0] as bigint), rotate64By32(v0[1] as bigint)]);
  }
}

/** HighwayHash-64 of `data` under a 32-byte key (shares all but the finalization with the 256-bit hash). */
export function highwayHash64(key: Uint8Array, data: Uint8Array): bigint {
  const state = absorb(key, data);
  permuteAndUpdate(state, 4);
  return ((state.v0[0] as bigint) + (state.v1[0] as bigint) + (state.mul0[0] as bigint) + (state.mul1[0] as bigint)) & MASK64;
}

/** HighwayHash-256 of `data` under a 32-byte key: 32 bytes, the four 64-bit lanes little-endian. */
export function highwayHash256(key: Uint8Array, data: Uint8Array): Uint8Array {
  const state = absorb(key, data);
  permuteAndUpdate(state, 10);
  const { v0, v1, mul0, mul1 } = state;
  const sum = (left: bigint | undefined, right: bigint | undefined): bigint => ((left as bigint) + (right as bigint)) & MASK64;
  const [hash1, hash0] = modularReduction(sum(v1[1], mul1[1]), sum(v1[0], mul1[0]), sum(v0[1], mul0[1]), sum(v0[0], mul0[0]));
  const [hash3, hash2] = modularReduction(sum(v1[3], mul1[3]), sum(v1[2], mul1[2]), sum(v0[3], mul0[3]), sum(v0[2], mul0[2]));
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  for (const [index, lane] of [hash0, hash1, hash2, hash3].entries()) view.setBigUint64(index * 8, lane, true);
  return out;
}
