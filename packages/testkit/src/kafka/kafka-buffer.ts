/** Big-endian reader for Kafka's request encoding (non-flexible versions). */
export class KafkaReader {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}

  get remaining(): number {
    return this.buffer.length - this.offset;
  }
  int8(): number {
    const value = this.buffer.readInt8(this.offset);
    this.offset += 1;
    return value;
  }
  int16(): number {
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  int32(): number {
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  int64(): bigint {
    const value = this.buffer.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }
  string(): string {
    const length = this.int16();
    return this.take(length).toString("utf8");
  }
  nullableString(): string | null {
    const length = this.int16();
    return length < 0 ? null : this.take(length).toString("utf8");
  }
  bytes(): Buffer | null {
    const length = this.int32();
    return length < 0 ? null : this.take(length);
  }
  array<T>(readItem: (reader: KafkaReader) => T): T[] | null {
    const count = this.int32();
    if (count < 0) return null;
    const items: T[] = [];
    for (let index = 0; index < count; index++) items.push(readItem(this));
    return items;
  }
  take(length: number): Buffer {
    if (length > this.remaining) throw new RangeError(`need ${length} bytes, have ${this.remaining}`);
    const slice = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
  rest(): Buffer {
    return this.take(this.remaining);
  }
}

/** Big-endian writer for Kafka responses (non-flexible versions). */
export class KafkaWriter {
  private readonly chunks: Buffer[] = [];

  int8(value: number): this {
    const chunk = Buffer.alloc(1);
    chunk.writeInt8(value);
    return this.push(chunk);
  }
  int16(value: number): this {
    const chunk = Buffer.alloc(2);
    chunk.writeInt16BE(value);
    return this.push(chunk);
  }
  int32(value: number): this {
    const chunk = Buffer.alloc(4);
    chunk.writeInt32BE(value);
    return this.push(chunk);
  }
  int64(value: bigint): this {
    const chunk = Buffer.alloc(8);
    chunk.writeBigInt64BE(value);
    return this.push(chunk);
  }
  boolean(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }
  string(value: string): this {
    const bytes = Buffer.from(value, "utf8");
    return this.int16(bytes.length).push(bytes);
  }
  nullableString(value: string | null): this {
    return value === null ? this.int16(-1) : this.string(value);
  }
  bytes(value: Buffer | null): this {
    return value === null ? this.int32(-1) : this.int32(value.length).push(value);
  }
  array<T>(items: readonly T[], writeItem: (writer: this, item: T, index: number) => void): this {
    this.int32(items.length);
    for (const [index, item] of items.entries()) writeItem(this, item, index);
    return this;
  }
  raw(chunk: Buffer): this {
    return this.push(chunk);
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
  private push(chunk: Buffer): this {
    this.chunks.push(chunk);
    return this;
  }
}
