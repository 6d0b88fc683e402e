/**
 * The few protobuf wire primitives the Sparkplug B payload needs (varint, fixed32/64,
 * length-delimited). Written here rather than pulling in a protobuf runtime for one message type.
 * The reader throws `ProtobufError` on malformed input; callers turn that into a rejection.
 */
export class ProtobufError extends Error {
  override readonly name = 'ProtobufError';
}

export const WIRE = Object.freeze({ varint: 0, fixed64: 1, bytes: 2, fixed32: 5 });

const TWO_32 = 4294967296;

export class ProtobufReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #pos: number;
  readonly #end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#pos = start;
    this.#end = end;
  }

  get done(): boolean {
    return this.#pos >= this.#end;
  }

  /** Field number and wire type of the next field. */
  tag(): { field: number; wire: number } {
    const key = this.varint();
    const field = Math.floor(key / 8);
    if (field < 1) throw new ProtobufError(`field number ${field} at byte ${this.#pos}`);
    return { field, wire: key % 8 };
  }

  /** A varint as a number; exact up to 2^53, which covers every timestamp and sequence number. */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i += 1) {
      const byte = this.#byte();
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new ProtobufError('varint longer than 10 bytes');
  }

  /** A varint as an unsigned 64-bit bigint, for int64 values whose sign lives in bit 63. */
  varintBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i += 1) {
      const byte = this.#byte();
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new ProtobufError('varint longer than 10 bytes');
  }

  float32(): number {
    this.#need(4);
    const value = this.#view.getFloat32(this.#pos, true);
    this.#pos += 4;
    return value;
  }

  float64(): number {
    this.#need(8);
    const value = this.#view.getFloat64(this.#pos, true);
    this.#pos += 8;
    return value;
  }

  /** A length-delimited field as [start, end) offsets into the buffer. */
  span(): [number, number] {
    const length = this.varint();
    this.#need(length);
    const start = this.#pos;
    this.#pos += length;
    return [start, this.#pos];
  }

  bytes(): Uint8Array {
    const [start, end] = this.span();
    return this.#bytes.subarray(start, end);
  }

  string(): string {
    try {
      return utf8.decode(this.bytes());
    } catch {
      throw new ProtobufError('string field is not valid UTF-8');
    }
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE.varint:
        this.varint();
        return;
      case WIRE.fixed64:
        this.#need(8);
        this.#pos += 8;
        return;
      case WIRE.bytes:
        this.span();
        return;
      case WIRE.fixed32:
        this.#need(4);
        this.#pos += 4;
        return;
      default:
        throw new ProtobufError(`unsupported wire type ${wire}`);
    }
  }

  #byte(): number {
    if (this.#pos >= this.#end) throw new ProtobufError('truncated varint');
    return this.#bytes[this.#pos++] ?? 0;
  }

  #need(n: number): void {
    if (n < 0 || this.#pos + n > this.#end) {
      throw new ProtobufError(`field needs ${n} bytes, ${this.#end - this.#pos} left`);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** Appends protobuf fields to a growable buffer. */
export class ProtobufWriter {
  #buf = new Uint8Array(64);
  #len = 0;

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }

  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  /** Non-negative integers up to 2^53. */
  varint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`Invariant: varint needs a non-negative safe integer, got ${value}`);
    }
    let v = value;
    while (v >= 128) {
      this.#push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    this.#push(v);
    return this;
  }

  varintBig(value: bigint): this {
    let v = BigInt.asUintN(64, value);
    while (v >= 128n) {
      this.#push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.#push(Number(v));
    return this;
  }

  float32(value: number): this {
    this.#grow(4);
    new DataView(this.#buf.buffer).setFloat32(this.#len, value, true);
    this.#len += 4;
    return this;
  }

  float64(value: number): this {
    this.#grow(8);
    new DataView(this.#buf.buffer).setFloat64(this.#len, value, true);
    this.#len += 8;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.varint(value.length);
    this.#grow(value.length);
    this.#buf.set(value, this.#len);
    this.#len += value.length;
    return this;
  }

  string(value: string): this {
    return this.bytes(encoder.encode(value));
  }

  #push(byte: number): void {
    this.#grow(1);
    this.#buf[this.#len++] = byte;
  }

  #grow(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }
}

/** Reinterprets a uint32 varint as the int32 it encodes (Sparkplug Int8/16/32 ride in uint32). */
export function asInt32(value: number): number {
  return (value % TWO_32) | 0;
}
