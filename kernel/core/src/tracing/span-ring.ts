/**
 * Ended spans in a `SharedArrayBuffer` ring, from the thread that serves requests (one writer) to
 * the exporter worker (one reader). Writing a span is a few number and character stores into a
 * fixed slot: no object, no text, no garbage, so a sampled request costs the main thread little;
 * the worker makes the OTLP objects and JSON. A full ring (the worker behind) drops the span and
 * counts it. The worker drains on a slow timer, and sooner when the writer wakes it: once a
 * quarter of the ring is in use (a wake costs the writer a notify, a quarter of a ring apart).
 *
 * Slot (SLOT bytes): start and end times (float64 ms), kind, failed, has-parent, attribute count,
 * trace/span/parent ids as ASCII hex, then strings: the name, the failure when failed, and per
 * attribute either a reference to a shared one (tag A) or its key, a tag (s string, i integer,
 * d double, t/f boolean) and the value's text. A string is a uint16 length and UTF-8, or (high
 * bit set) the number of an entry of the string table: names, keys and shared attributes
 * (`sharedAttribute`) recur on every request, so each is written once into the table, ahead of
 * the ring, and is a two-byte reference after. What does not fit in the slot is cut (a string)
 * or left out (attributes); once the table is full, strings are written in full again.
 */
import { isShared, type OtlpAnyValue, type OtlpAttribute, type Span, unixNanos } from "./span.ts";

/** Bytes per span. */
export const SLOT = 1024;
/** Bytes before the table: the write and read counters, the table's end and the wake count (Int32). */
const HEADER = 64;
const WRITE = 0;
const READ = 1;
const TABLE_END = 2;
/** Bumped, and notified, by the writer when a quarter of the ring is in use: the reader waits on it. */
const WAKE = 3;
/** Bytes of the string table, then the slots. */
const TABLE = 256 * 1024;
const FIRST_SLOT = HEADER + TABLE;
/** Table entries at most (references are 15 bits), and the longest string worth one. */
const MAX_ENTRIES = 0x7fff;
const MAX_ENTRY = 1024;
const REFERENCE = 0x8000;
/** An attribute's first byte: a shared one's reference follows, or its key and value. */
const SHARED_TAG = 65;
const OWN_TAG = 75;
const IDS = 20;
const STRINGS = IDS + 64;

/** A ring of `slots` spans, to share with the worker. */
export function ringBuffer(slots: number): SharedArrayBuffer {
  return new SharedArrayBuffer(FIRST_SLOT + slots * SLOT);
}

/** The views of a ring. */
class RingViews {
  readonly counters: Int32Array;
  readonly bytes: Uint8Array;
  readonly times: Float64Array;
  readonly slots: number;
  constructor(buffer: SharedArrayBuffer) {
    this.counters = new Int32Array(buffer, 0, HEADER / 4);
    this.bytes = new Uint8Array(buffer);
    this.times = new Float64Array(buffer);
    this.slots = (buffer.byteLength - FIRST_SLOT) / SLOT;
  }
}

const encoder = new TextEncoder();

/** The writing side, on the main thread: a span sink. */
export class RingWriter extends RingViews {
  /** Spans dropped for a full ring, since the start. */
  dropped = 0;
  #written = 0;
  /** Table entries by text (names, keys) and by attribute (shared ones). */
  readonly #strings = new Map<string, number>();
  readonly #attributes = new Map<OtlpAttribute, number>();
  #entries = 0;
  #tableEnd = HEADER;
  /** Spans in use at which the reader is woken. */
  readonly #wakeAt = Math.max(1, this.slots >> 2);

  push(span: Span): void {
    const read = Atomics.load(this.counters, READ);
    if (((this.#written - read) | 0) >= this.slots) {
      this.dropped++;
      return;
    }
    const base = FIRST_SLOT + (this.#written % this.slots) * SLOT;
    const bytes = this.bytes;
    this.times[base / 8] = span.startMs;
    this.times[base / 8 + 1] = span.endMs;
    bytes[base + 16] = span.kind;
    bytes[base + 17] = span.failure === undefined ? 0 : 1;
    bytes[base + 18] = span.parentSpanId === undefined ? 0 : 1;
    this.#ascii(base + IDS, span.traceId, 32);
    this.#ascii(base + IDS + 32, span.spanId, 16);
    if (span.parentSpanId !== undefined) this.#ascii(base + IDS + 48, span.parentSpanId, 16);
    const limit = base + SLOT;
    let at = this.#known(base + STRINGS, limit, span.name);
    if (span.failure !== undefined) at = this.#string(at, limit, span.failure);
    let count = 0;
    for (const item of span.attributes) {
      if (count === 255 || at + 8 > limit) break;
      const entry = this.#attributes.get(item) ?? (isShared(item) ? this.#shared(item) : -1);
      if (entry >= 0) {
        bytes[at] = SHARED_TAG;
        bytes[at + 1] = entry & 0xff;
        bytes[at + 2] = entry >> 8;
        at += 3;
      } else {
        bytes[at] = OWN_TAG;
        at = this.#known(at + 1, limit, item.key);
        at = this.#value(at, limit, item.value);
      }
      count++;
    }
    bytes[base + 19] = count;
    this.#written = (this.#written + 1) | 0;
    Atomics.store(this.counters, WRITE, this.#written);
    // spans in use grow by one per push, so the count meets #wakeAt exactly once on its way up
    if (((this.#written - read) | 0) === this.#wakeAt) {
      Atomics.add(this.counters, WAKE, 1);
      Atomics.notify(this.counters, WAKE);
    }
  }

  /** A string that recurs (a name, a key): a reference to its table entry, made the first time. */
  #known(at: number, limit: number, text: string): number {
    let entry = this.#strings.get(text);
    if (entry === undefined) {
      entry = this.#entry(0, text);
      if (entry >= 0) this.#strings.set(text, entry);
    }
    if (entry < 0) return this.#string(at, limit, text);
    this.bytes[at] = entry & 0xff;
    this.bytes[at + 1] = (entry >> 8) | 0x80;
    return at + 2;
  }

  #shared(item: OtlpAttribute): number {
    const entry = this.#entry(1, JSON.stringify(item));
    if (entry >= 0) this.#attributes.set(item, entry);
    return entry;
  }

  /**
   * Appends an entry (kind 0 text, 1 an attribute as JSON) to the table, published before the
   * span that refers to it; -1 when the table is full or `text` too long to be worth it.
   */
  #entry(kind: number, text: string): number {
    const encoded = encoder.encode(text);
    if (this.#entries >= MAX_ENTRIES || encoded.length > MAX_ENTRY) return -1;
    const at = this.#tableEnd;
    if (at + 3 + encoded.length > HEADER + TABLE) return -1;
    this.bytes[at] = kind;
    this.bytes[at + 1] = encoded.length & 0xff;
    this.bytes[at + 2] = encoded.length >> 8;
    this.bytes.set(encoded, at + 3);
    this.#tableEnd = at + 3 + encoded.length;
    Atomics.store(this.counters, TABLE_END, this.#tableEnd);
    return this.#entries++;
  }

  #value(at: number, limit: number, value: OtlpAnyValue): number {
    if (value.stringValue !== undefined) return this.#tagged(at, limit, 115, value.stringValue);
    if (value.intValue !== undefined) return this.#tagged(at, limit, 105, value.intValue);
    if (value.doubleValue !== undefined) return this.#tagged(at, limit, 100, String(value.doubleValue));
    this.bytes[at] = value.boolValue === true ? 116 : 102;
    return at + 1;
  }

  #tagged(at: number, limit: number, tag: number, text: string): number {
    this.bytes[at] = tag;
    return this.#string(at + 1, limit, text);
  }

  #ascii(at: number, text: string, length: number): void {
    for (let i = 0; i < length; i++) this.bytes[at + i] = text.charCodeAt(i);
  }

  /** Writes `text` at `at` (cut to what fits before `limit`); returns where the next item goes. */
  #string(at: number, limit: number, text: string): number {
    const room = Math.max(0, Math.min(limit - at - 2, REFERENCE - 1));
    const bytes = this.bytes;
    let length = 0;
    for (; length < text.length && length < room; length++) {
      const code = text.charCodeAt(length);
      if (code > 0x7f) return this.#utf8(at, room, text);
      bytes[at + 2 + length] = code;
    }
    bytes[at] = length & 0xff;
    bytes[at + 1] = length >> 8;
    return at + 2 + length;
  }

  /** The rare text beyond ASCII: encoded whole, cut at a character's start. */
  #utf8(at: number, room: number, text: string): number {
    const encoded = encoder.encode(text);
    let length = Math.min(encoded.length, room);
    while (length > 0 && length < encoded.length && ((encoded[length] as number) & 0xc0) === 0x80) length--;
    this.bytes.set(encoded.subarray(0, length), at + 2);
    this.bytes[at] = length & 0xff;
    this.bytes[at + 1] = length >> 8;
    return at + 2 + length;
  }
}

/** The reading side, in the exporter worker. */
export class RingReader extends RingViews {
  /** The ring as a Buffer, whose `toString` decodes shared memory in place (`TextDecoder` refuses it). */
  readonly #buffer: Buffer;
  /** The string table's entries read so far, as JSON: a quoted string, or a shared attribute. */
  readonly #entries: string[] = [];
  #tableAt = HEADER;
  #read = 0;
  #at = 0;
  /** The wake count as of the last drain. */
  #wake = 0;

  constructor(buffer: SharedArrayBuffer) {
    super(buffer);
    this.#buffer = Buffer.from(buffer);
  }

  /** Hands every span written since the last call to `take` (as OTLP/JSON text), in order; returns how many. */
  drain(take: (span: string) => void): number {
    this.#wake = Atomics.load(this.counters, WAKE);
    const written = Atomics.load(this.counters, WRITE);
    this.#table(); // after the write counter: every entry the spans up to it refer to is there
    let count = 0;
    while (this.#read !== written) {
      take(this.#span(FIRST_SLOT + (this.#read % this.slots) * SLOT));
      this.#read = (this.#read + 1) | 0;
      Atomics.store(this.counters, READ, this.#read); // the slot is free again
      count++;
    }
    return count;
  }

  /**
   * Resolves once the writer has woken the reader since the last `drain` (a quarter of the ring
   * in use), or after `ms`; without blocking the worker's event loop meanwhile.
   */
  async waitForSpans(ms: number): Promise<void> {
    const waiting = Atomics.waitAsync(this.counters, WAKE, this.#wake, ms);
    if (waiting.async) await waiting.value;
  }

  #table(): void {
    const end = Atomics.load(this.counters, TABLE_END);
    while (this.#tableAt < end) {
      const at = this.#tableAt;
      const length = (this.bytes[at + 1] as number) | ((this.bytes[at + 2] as number) << 8);
      const text = this.#text(at + 3, length);
      this.#entries.push(this.bytes[at] === 0 ? JSON.stringify(text) : text);
      this.#tableAt = at + 3 + length;
    }
  }

  /**
   * One span as OTLP/JSON text, written straight from the slot: strings from the table are
   * quoted once, when read; no span object is made and none is stringified.
   */
  #span(base: number): string {
    const bytes = this.bytes;
    const count = bytes[base + 19] as number;
    this.#at = base + STRINGS;
    let json = `{"traceId":"${this.#ascii(base + IDS, 32)}","spanId":"${this.#ascii(base + IDS + 32, 16)}"`;
    if (bytes[base + 18] === 1) json += `,"parentSpanId":"${this.#ascii(base + IDS + 48, 16)}"`;
    json += `,"name":${this.#next()},"kind":${bytes[base + 16]}`;
    json += `,"startTimeUnixNano":"${unixNanos(this.times[base / 8] as number)}"`;
    json += `,"endTimeUnixNano":"${unixNanos(this.times[base / 8 + 1] as number)}","status":`;
    json +=
      bytes[base + 17] === 1 ? `{"code":2,"message":${this.#next()}},"attributes":[` : `{},"attributes":[`;
    for (let i = 0; i < count; i++) {
      if (i > 0) json += ",";
      if (bytes[this.#at] === SHARED_TAG) {
        json += this.#entries[(bytes[this.#at + 1] as number) | ((bytes[this.#at + 2] as number) << 8)];
        this.#at += 3;
        continue;
      }
      this.#at++;
      json += `{"key":${this.#next()},"value":`;
      const tag = bytes[this.#at++];
      if (tag === 115) json += `{"stringValue":${this.#next()}}}`;
      else if (tag === 105) json += `{"intValue":${this.#next()}}}`;
      else if (tag === 100) json += `{"doubleValue":${JSON.stringify(Number(JSON.parse(this.#next())))}}}`;
      else json += tag === 116 ? `{"boolValue":true}}` : `{"boolValue":false}}`;
    }
    return `${json}]}`;
  }

  /** The next string of the slot, as JSON (quoted). */
  #next(): string {
    const length = (this.bytes[this.#at] as number) | ((this.bytes[this.#at + 1] as number) << 8);
    if (length & REFERENCE) {
      this.#at += 2;
      return this.#entries[length & ~REFERENCE] as string;
    }
    const text = this.#text(this.#at + 2, length);
    this.#at += 2 + length;
    return JSON.stringify(text);
  }

  #text(at: number, length: number): string {
    return this.#buffer.toString("utf8", at, at + length);
  }

  /** Ids are ASCII hex: latin1 is the cheapest decoding. */
  #ascii(at: number, length: number): string {
    return this.#buffer.toString("latin1", at, at + length);
  }
}
