/**
 * Add a `TFLITE_METADATA` entry to a TFLite model without a flatbuffers schema compiler: a
 * flatbuffer's offsets (uoffset_t) are unsigned and point forward, so a new root `Model` table
 * written *before* the original bytes can refer to everything in them. The new prefix holds
 * that table (the original's fields, plus `buffers` and `metadata` vectors one entry longer),
 * the new buffer and its bytes; the original model follows unchanged, shifted by a multiple of
 * 64 bytes so every tensor buffer keeps the 16-byte alignment the TFLite schema asks for.
 */

/** `Model` fields in `schema.fbs` order. */
const MODEL_FIELDS = 8;
const FIELD_VERSION = 0;
const FIELD_BUFFERS = 4;
const FIELD_METADATA = 6;
/** Fields of `Model` that are offsets to objects the new root shares with the old one. */
const SHARED_OFFSET_FIELDS = [1, 2, 3, 5, 7] as const;
const PREFIX_ALIGN = 64;
export const METADATA_NAME = 'TFLITE_METADATA';

class Reader {
  readonly #view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u16(at: number): number {
    this.#check(at, 2);
    return this.#view.getUint16(at, true);
  }
  u32(at: number): number {
    this.#check(at, 4);
    return this.#view.getUint32(at, true);
  }
  i32(at: number): number {
    this.#check(at, 4);
    return this.#view.getInt32(at, true);
  }
  /** Absolute position of field `index` of the table at `table`, or null when absent. */
  field(table: number, index: number): number | null {
    const vtable = table - this.i32(table);
    const vtableSize = this.u16(vtable);
    const slot = 4 + index * 2;
    if (slot >= vtableSize) return null;
    const offset = this.u16(vtable + slot);
    return offset === 0 ? null : table + offset;
  }
  /** Where the uoffset stored at `at` points. */
  deref(at: number): number {
    return at + this.u32(at);
  }
  string(at: number): string {
    const length = this.u32(at);
    this.#check(at + 4, length);
    return new TextDecoder().decode(this.bytes.subarray(at + 4, at + 4 + length));
  }
  #check(at: number, size: number): void {
    if (at < 0 || at + size > this.bytes.byteLength)
      throw new Error(
        `not a TFLite flatbuffer: a read of ${size} bytes at ${at} runs past its end (${this.bytes.byteLength} bytes)`,
      );
  }
}

/** Byte writer for the prefix; positions are absolute in the final file. */
class Writer {
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  #at = 0;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.#view = new DataView(this.bytes.buffer);
  }
  get at(): number {
    return this.#at;
  }
  align(to: number): void {
    this.#at = Math.ceil(this.#at / to) * to;
  }
  take(size: number): number {
    const at = this.#at;
    this.#at += size;
    if (this.#at > this.bytes.byteLength) throw new Error('Invariant: prefix estimate too small');
    return at;
  }
  u16(at: number, value: number): void {
    this.#view.setUint16(at, value, true);
  }
  u32(at: number, value: number): void {
    this.#view.setUint32(at, value, true);
  }
  i32(at: number, value: number): void {
    this.#view.setInt32(at, value, true);
  }
  /** Store at `at` the forward offset to `target`. */
  ref(at: number, target: number): void {
    if (target < at) throw new Error(`Invariant: backward offset ${at} → ${target}`);
    this.u32(at, target - at);
  }
  /** A vtable for a table whose fields sit at the given offsets (0: absent). */
  vtable(fieldOffsets: readonly number[], tableSize: number): number {
    this.align(2);
    const at = this.take(4 + fieldOffsets.length * 2);
    this.u16(at, 4 + fieldOffsets.length * 2);
    this.u16(at + 2, tableSize);
    fieldOffsets.forEach((offset, i) => this.u16(at + 4 + i * 2, offset));
    return at;
  }
  /** A table of 4-byte slots after its vtable; returns the table's position. */
  table(vtable: number, slots: number): number {
    this.align(4);
    const at = this.take(4 + slots * 4);
    this.i32(at, at - vtable);
    return at;
  }
}

/** Offsets of the objects a vector of tables at `vector` points to (absolute, in `model`). */
function vectorTargets(model: Reader, vector: number | null): number[] {
  if (vector === null) return [];
  const start = model.deref(vector);
  const length = model.u32(start);
  return Array.from({ length }, (_, i) => model.deref(start + 4 + i * 4));
}

/** The model with `metadata` attached as its `TFLITE_METADATA` entry (replacing any such entry). */
export function attachMetadata(modelBytes: Uint8Array, metadata: Uint8Array): Uint8Array {
  const model = new Reader(modelBytes);
  if (new TextDecoder().decode(modelBytes.subarray(4, 8)) !== 'TFL3')
    throw new Error('not a TFLite model: file identifier TFL3 missing at bytes 4–8');
  const root = model.deref(0);
  const buffers = vectorTargets(model, model.field(root, FIELD_BUFFERS));
  const metadataEntries = vectorTargets(model, model.field(root, FIELD_METADATA)).filter(
    (entry) => {
      const name = model.field(entry, 0);
      return name === null || model.string(model.deref(name)) !== METADATA_NAME;
    },
  );
  const versionAt = model.field(root, FIELD_VERSION);
  const version = versionAt === null ? 0 : model.u32(versionAt);

  const name = new TextEncoder().encode(METADATA_NAME);
  const estimate =
    256 + (buffers.length + metadataEntries.length + 2) * 4 + name.length + metadata.length;
  const w = new Writer(estimate + PREFIX_ALIGN);
  // The prefix length is known only at the end; old objects are referenced through `shift`.
  const oldRefs: { at: number; target: number }[] = [];

  const rootRef = w.take(4);
  const identifier = w.take(4);
  w.bytes.set(new TextEncoder().encode('TFL3'), identifier);

  // Model: slot i holds field i (version inline, the rest offsets).
  const modelVtable = w.vtable(
    Array.from({ length: MODEL_FIELDS }, (_, i) => {
      if (i === FIELD_VERSION || i === FIELD_BUFFERS || i === FIELD_METADATA) return 4 + i * 4;
      const present = model.field(root, i) !== null;
      return present ? 4 + i * 4 : 0;
    }),
    4 + MODEL_FIELDS * 4,
  );
  const modelTable = w.table(modelVtable, MODEL_FIELDS);
  w.ref(rootRef, modelTable);
  w.u32(modelTable + 4 + FIELD_VERSION * 4, version);
  for (const field of SHARED_OFFSET_FIELDS) {
    const at = model.field(root, field);
    if (at !== null) oldRefs.push({ at: modelTable + 4 + field * 4, target: model.deref(at) });
  }

  // buffers: the old ones, then the metadata's.
  w.align(4);
  const buffersVector = w.take(4 + (buffers.length + 1) * 4);
  w.ref(modelTable + 4 + FIELD_BUFFERS * 4, buffersVector);
  w.u32(buffersVector, buffers.length + 1);
  buffers.forEach((target, i) => oldRefs.push({ at: buffersVector + 4 + i * 4, target }));

  // metadata: the old entries (but a previous TFLITE_METADATA), then ours.
  const metadataVector = w.take(4 + (metadataEntries.length + 1) * 4);
  w.ref(modelTable + 4 + FIELD_METADATA * 4, metadataVector);
  w.u32(metadataVector, metadataEntries.length + 1);
  metadataEntries.forEach((target, i) => oldRefs.push({ at: metadataVector + 4 + i * 4, target }));

  // Metadata { name: string; buffer: uint }
  const entryVtable = w.vtable([4, 8], 12);
  const entry = w.table(entryVtable, 2);
  w.ref(metadataVector + 4 + metadataEntries.length * 4, entry);
  w.u32(entry + 8, buffers.length);
  w.align(4);
  const nameAt = w.take(4 + name.length + 1);
  w.u32(nameAt, name.length);
  w.bytes.set(name, nameAt + 4);
  w.ref(entry + 4, nameAt);

  // Buffer { data: [ubyte] (force_align: 16) }
  const bufferVtable = w.vtable([4], 8);
  const buffer = w.table(bufferVtable, 1);
  w.ref(buffersVector + 4 + buffers.length * 4, buffer);
  // The bytes start 16-aligned: their length word sits just before.
  w.align(16);
  w.take(12);
  const dataVector = w.take(4 + metadata.length);
  w.u32(dataVector, metadata.length);
  w.bytes.set(metadata, dataVector + 4);
  w.ref(buffer + 4, dataVector);

  w.align(PREFIX_ALIGN);
  const shift = w.at;
  for (const { at, target } of oldRefs) w.ref(at, target + shift);
  const out = new Uint8Array(shift + modelBytes.byteLength);
  out.set(w.bytes.subarray(0, shift), 0);
  out.set(modelBytes, shift);
  return out;
}

/** The `TFLITE_METADATA` bytes of a model, or null when it has none (for checks and tests). */
export function readMetadata(modelBytes: Uint8Array): Uint8Array | null {
  const model = new Reader(modelBytes);
  const root = model.deref(0);
  const buffers = vectorTargets(model, model.field(root, FIELD_BUFFERS));
  for (const entry of vectorTargets(model, model.field(root, FIELD_METADATA))) {
    const nameAt = model.field(entry, 0);
    if (nameAt === null || model.string(model.deref(nameAt)) !== METADATA_NAME) continue;
    const indexAt = model.field(entry, 1);
    const buffer = buffers[indexAt === null ? 0 : model.u32(indexAt)];
    if (buffer === undefined) return null;
    const dataAt = model.field(buffer, 0);
    if (dataAt === null) return null;
    const data = model.deref(dataAt);
    return modelBytes.subarray(data + 4, data + 4 + model.u32(data));
  }
  return null;
}

/** Number of entries in the model's `buffers` vector (for checks and tests). */
export function bufferCount(modelBytes: Uint8Array): number {
  const model = new Reader(modelBytes);
  return vectorTargets(model, model.field(model.deref(0), FIELD_BUFFERS)).length;
}
