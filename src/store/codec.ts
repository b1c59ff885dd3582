/**
 * The byte encoding of the store's call history (schema v2), kept apart from the SQL: unsigned
 * varints, span times relative to a nearby time (whole milliseconds as small varints, anything
 * else as the exact float64), trace ids of 32 lowercase hex digits as their 16 bytes, and strings
 * as ids of the store's dictionary. Every value decodes to exactly what was encoded.
 *
 * What is encoded is an edge's history over some days, `Aggregate`: calls, errors, first and last
 * span time, operations with the callee and caller versions seen, queues with their calls,
 * environments, and the earliest sample traces. Three encodings of it:
 * - the totals of an edge over all of its history (one blob per edge);
 * - the shape of an edge-day: operations with their versions, environments and queues, without
 *   counts, shared by every edge-day that saw the same (most days look like the day before);
 * - the rest of an edge-day, in its shape's order: first and last span time, calls per operation
 *   and queue, samples.
 * Lists are written in the order SQLite sorts text (BINARY: by UTF-8 bytes, that is by code
 * point), which is the order the store has always returned them in.
 */
import { StoreError } from '../errors.js';

export const MAX_SAMPLES = 3;

/** The day of calls whose spans carried no time (`''`): before every real day. */
export const NO_DAY = -1_000_000;

const DAY_MS = 86_400_000;

export interface Sample {
  readonly traceId: string;
  readonly timeMs: number | null;
}

export interface OperationAggregate {
  calls: number;
  readonly callee: Set<string>;
  readonly caller: Set<string>;
}

/** An edge's calls over one day or many, merged. */
export interface Aggregate {
  calls: number;
  errors: number;
  firstMs: number | null;
  lastMs: number | null;
  readonly operations: Map<string, OperationAggregate>;
  readonly vias: Map<string, number>;
  readonly environments: Set<string>;
  /** The earliest traces (time, then trace id), at most MAX_SAMPLES. */
  samples: Sample[];
}

/** What an edge's history gives `readCalls`, lists sorted (and, read from totals, partly shared between edges). */
export interface Contents {
  readonly operations: readonly { readonly name: string; readonly calls: number; readonly calleeVersions: readonly string[]; readonly callerVersions: readonly string[] }[];
  readonly vias: readonly { readonly via: string; readonly calls: number }[];
  readonly environments: readonly string[];
  readonly samples: readonly Sample[];
}

/** The id of a string in the store's dictionary (added when new). */
export interface Dictionary {
  id(value: string): number;
}

/** A string by its id. */
export type Strings = (id: number) => string;

/** A day's shape, decoded: what `Aggregate` holds besides counts, times and samples. */
export interface Shape {
  readonly operations: readonly { readonly name: string; readonly callee: readonly string[]; readonly caller: readonly string[] }[];
  readonly environments: readonly string[];
  readonly vias: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Merging, with the store's rules: counts add up, sets merge, first/last take the min/max of the
// known times, a trace keeps its earliest time and the earliest MAX_SAMPLES traces stay.

export function emptyAggregate(): Aggregate {
  return { calls: 0, errors: 0, firstMs: null, lastMs: null, operations: new Map(), vias: new Map(), environments: new Set(), samples: [] };
}

export interface TallyLike {
  readonly calls: number;
  readonly errors: number;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  readonly operations: readonly { readonly name: string; readonly calls: number; readonly calleeVersions: readonly string[]; readonly callerVersions: readonly string[] }[];
  readonly vias: readonly { readonly via: string; readonly calls: number }[];
  readonly environments: readonly string[];
  readonly samples: readonly Sample[];
}

export function addTally(target: Aggregate, t: TallyLike): void {
  target.calls += t.calls;
  target.errors += t.errors;
  target.firstMs = minTime(target.firstMs, t.firstMs);
  target.lastMs = maxTime(target.lastMs, t.lastMs);
  for (const op of t.operations) {
    const into = operation(target, op.name);
    into.calls += op.calls;
    for (const v of op.calleeVersions) into.callee.add(v);
    for (const v of op.callerVersions) into.caller.add(v);
  }
  for (const v of t.vias) target.vias.set(v.via, (target.vias.get(v.via) ?? 0) + v.calls);
  for (const e of t.environments) target.environments.add(e);
  for (const s of t.samples) addSample(target.samples, s);
}

export function addAggregate(target: Aggregate, source: Aggregate): void {
  target.calls += source.calls;
  target.errors += source.errors;
  target.firstMs = minTime(target.firstMs, source.firstMs);
  target.lastMs = maxTime(target.lastMs, source.lastMs);
  for (const [name, op] of source.operations) {
    const into = operation(target, name);
    into.calls += op.calls;
    for (const v of op.callee) into.callee.add(v);
    for (const v of op.caller) into.caller.add(v);
  }
  for (const [via, calls] of source.vias) target.vias.set(via, (target.vias.get(via) ?? 0) + calls);
  for (const e of source.environments) target.environments.add(e);
  for (const s of source.samples) addSample(target.samples, s);
}

function operation(target: Aggregate, name: string): OperationAggregate {
  let op = target.operations.get(name);
  if (op === undefined) {
    op = { calls: 0, callee: new Set(), caller: new Set() };
    target.operations.set(name, op);
  }
  return op;
}

/** SQL's MIN of two nullable times: null only when both are. */
function minTime(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

function maxTime(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

/** Orders text as SQLite's BINARY collation does (UTF-8 bytes, that is code points). */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      // UTF-16 puts surrogates (code points above U+FFFF) before U+E000-U+FFFF; code points don't.
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

/** Earliest first, traces without a time last, then by trace id. */
export function compareSamples(a: Sample, b: Sample): number {
  if (a.timeMs !== b.timeMs) {
    if (a.timeMs === null) return 1;
    if (b.timeMs === null) return -1;
    if (a.timeMs < b.timeMs) return -1;
    if (a.timeMs > b.timeMs) return 1;
  }
  return compareText(a.traceId, b.traceId);
}

/** Adds a sample to a sorted list of at most MAX_SAMPLES, a trace keeping its earliest time. */
export function addSample(samples: Sample[], s: Sample): void {
  const existing = samples.findIndex((x) => x.traceId === s.traceId);
  if (existing >= 0) {
    if (s.timeMs === null || (samples[existing]!.timeMs !== null && samples[existing]!.timeMs! <= s.timeMs)) return;
    samples.splice(existing, 1);
  } else if (samples.length >= MAX_SAMPLES && compareSamples(s, samples[samples.length - 1]!) >= 0) {
    return;
  }
  samples.push({ traceId: s.traceId, timeMs: s.timeMs });
  samples.sort(compareSamples);
  if (samples.length > MAX_SAMPLES) samples.length = MAX_SAMPLES;
}

/** The sorted lists `readCalls` returns. */
export function contentsOf(a: Aggregate): Contents {
  return {
    operations: [...a.operations.keys()].sort(compareText).map((name) => {
      const op = a.operations.get(name)!;
      return { name, calls: op.calls, calleeVersions: sorted(op.callee), callerVersions: sorted(op.caller) };
    }),
    vias: [...a.vias.keys()].sort(compareText).map((via) => ({ via, calls: a.vias.get(via)! })),
    environments: sorted(a.environments),
    samples: a.samples.map((s) => ({ traceId: s.traceId, timeMs: s.timeMs })),
  };
}

function sorted(values: Iterable<string>): string[] {
  return [...values].sort(compareText);
}

// ---------------------------------------------------------------------------------------------
// Days.

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a UTC day `YYYY-MM-DD`; NO_DAY for ''. */
export function dayNumber(day: string): number {
  if (day === '') return NO_DAY;
  const m = DAY.exec(day);
  if (m !== null) {
    const n = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
    if (new Date(n * DAY_MS).toISOString().slice(0, 10) === day) return n;
  }
  throw new StoreError(`cannot keep calls of the day ${JSON.stringify(day)} in the store: expected a UTC day YYYY-MM-DD between 0000 and 9999`);
}

/** The first day a `readCalls(sinceDay)` reads: text before '0' (a year before 0000) reads every dated day. */
export function sinceNumber(sinceDay: string): number {
  if (sinceDay < '0') return NO_DAY + 1;
  return dayNumber(sinceDay);
}

function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

export function dayStartMs(day: number): number {
  return day === NO_DAY ? 0 : day * DAY_MS;
}

// ---------------------------------------------------------------------------------------------
// Bytes.

const HEX_ID = /^[0-9a-f]{32}$/;
const TWO_POW_50 = 2 ** 50;

class Writer {
  private bytes = Buffer.allocUnsafe(256);
  private n = 0;

  private room(k: number): void {
    if (this.n + k <= this.bytes.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.n + k));
    this.bytes.copy(bigger, 0, 0, this.n);
    this.bytes = bigger;
  }

  uint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new StoreError(`cannot keep ${v} in the store: expected a count (a whole number of at least 0)`);
    this.room(8);
    while (v >= 0x80) {
      this.bytes[this.n++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.n++] = v;
  }

  /** A time as a varint after `ref` when a whole number of ms away, else as its float64. */
  time(t: number | null, ref: number): void {
    if (t === null) return this.uint(0);
    const d = t - ref;
    if (Number.isInteger(d) && Math.abs(d) <= TWO_POW_50 && Object.is(ref + d, t)) return this.uint((d >= 0 ? d * 2 : -d * 2 - 1) + 2);
    this.uint(1);
    this.room(8);
    this.bytes.writeDoubleLE(t, this.n);
    this.n += 8;
  }

  traceId(id: string): void {
    if (id.length === 32 && HEX_ID.test(id)) {
      this.uint(0);
      this.room(16);
      this.n += this.bytes.write(id, this.n, 16, 'hex');
      return;
    }
    const length = Buffer.byteLength(id, 'utf8');
    this.uint(length + 1);
    this.room(length);
    this.n += this.bytes.write(id, this.n, length, 'utf8');
  }

  done(): Buffer {
    return Buffer.from(this.bytes.subarray(0, this.n));
  }
}

class Reader {
  private n = 0;

  constructor(private readonly bytes: Buffer) {}

  get at(): number {
    return this.n;
  }

  set at(n: number) {
    this.n = n;
  }

  /** The bytes from `start` to here, as a Map key. */
  key(start: number): string {
    return this.bytes.toString('latin1', start, this.n);
  }

  uint(): number {
    let b = this.bytes[this.n++]!;
    if (b < 0x80) return b;
    let v = b & 0x7f;
    let scale = 0x80;
    do {
      b = this.bytes[this.n++]!;
      v += (b & 0x7f) * scale;
      scale *= 0x80;
    } while (b >= 0x80);
    return v;
  }

  time(ref: number): number | null {
    const x = this.uint();
    if (x === 0) return null;
    if (x === 1) {
      const t = this.bytes.readDoubleLE(this.n);
      this.n += 8;
      return t;
    }
    const z = x - 2;
    return ref + (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
  }

  skipTraceId(): void {
    const k = this.uint();
    this.n += k === 0 ? 16 : k - 1;
  }

  traceId(): string {
    const k = this.uint();
    const end = this.n + (k === 0 ? 16 : k - 1);
    const s = this.bytes.toString(k === 0 ? 'hex' : 'utf8', this.n, end);
    this.n = end;
    return s;
  }

  end(): void {
    if (this.n !== this.bytes.length) throw new StoreError(`the store's history is damaged: ${this.bytes.length - this.n} bytes left over in a record`);
  }
}

/** Each sample's time (after the one before), then its trace id. */
function writeSamples(w: Writer, samples: readonly Sample[], ref: number): void {
  w.uint(samples.length);
  for (const s of samples) {
    w.time(s.timeMs, ref);
    if (s.timeMs !== null) ref = s.timeMs;
    w.traceId(s.traceId);
  }
}

function readSamples(r: Reader, ref: number): Sample[] {
  const n = r.uint();
  const samples: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const timeMs = r.time(ref);
    if (timeMs !== null) ref = timeMs;
    samples.push({ traceId: r.traceId(), timeMs });
  }
  return samples;
}

/** Adds encoded samples to a sorted list, skipping (undecoded) those later than all it holds. */
function addSamples(r: Reader, ref: number, samples: Sample[]): void {
  const n = r.uint();
  for (let i = 0; i < n; i++) {
    const timeMs = r.time(ref);
    if (timeMs !== null) ref = timeMs;
    const last = samples.length >= MAX_SAMPLES ? samples[samples.length - 1]!.timeMs : undefined;
    if (last !== undefined && last !== null && (timeMs === null || timeMs > last)) r.skipTraceId();
    else addSample(samples, { traceId: r.traceId(), timeMs });
  }
}

function writeIds(w: Writer, values: Iterable<string>, dict: Dictionary): void {
  const list = sorted(values);
  w.uint(list.length);
  for (const v of list) w.uint(dict.id(v));
}

function readIds(r: Reader, strings: Strings): string[] {
  const n = r.uint();
  const values: string[] = [];
  for (let i = 0; i < n; i++) values.push(strings(r.uint()));
  return values;
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * A list of strings, the same array for the same list within `shared` (the versions of an edge's
 * operations mostly repeat): reading many edges makes far fewer objects.
 */
function readSharedIds(r: Reader, strings: Strings, shared: Map<string, readonly string[]>): readonly string[] {
  const start = r.at;
  const n = r.uint();
  if (n === 0) return NONE;
  for (let i = 0; i < n; i++) r.uint();
  const key = r.key(start);
  let values = shared.get(key);
  if (values === undefined) {
    r.at = start;
    values = readIds(r, strings);
    shared.set(key, values);
  }
  return values;
}

// ---------------------------------------------------------------------------------------------
// An edge's totals over all of its history: operations, queues, environments, samples (the
// counts and first/last times are columns of the edge).

/** The operations in name order: each name, its calls when asked, its callee and caller versions. */
function writeOperations(w: Writer, a: Aggregate, dict: Dictionary, withCalls: boolean): void {
  const names = sorted(a.operations.keys());
  w.uint(names.length);
  for (const name of names) {
    const op = a.operations.get(name)!;
    w.uint(dict.id(name));
    if (withCalls) w.uint(op.calls);
    writeIds(w, op.callee, dict);
    writeIds(w, op.caller, dict);
  }
}

export function encodeTotals(a: Aggregate, dict: Dictionary): Buffer {
  const w = new Writer();
  writeOperations(w, a, dict, true);
  const vias = sorted(a.vias.keys());
  w.uint(vias.length);
  for (const via of vias) {
    w.uint(dict.id(via));
    w.uint(a.vias.get(via)!);
  }
  writeIds(w, a.environments, dict);
  writeSamples(w, a.samples, 0);
  return w.done();
}

/**
 * The totals as `readCalls` returns them (the lists were written sorted). Lists of strings are
 * shared through `shared` between the edges read with it: they must not be changed.
 */
export function decodeTotals(blob: Buffer, strings: Strings, shared: Map<string, readonly string[]> = new Map()): Contents {
  const r = new Reader(blob);
  const n = r.uint();
  const operations: Contents['operations'][number][] = n === 0 ? (NONE as never[]) : [];
  for (let i = n; i > 0; i--) {
    const name = strings(r.uint());
    const calls = r.uint();
    const calleeVersions = readSharedIds(r, strings, shared);
    operations.push({ name, calls, calleeVersions, callerVersions: readSharedIds(r, strings, shared) });
  }
  const v = r.uint();
  const vias: Contents['vias'][number][] = v === 0 ? (NONE as never[]) : [];
  for (let i = v; i > 0; i--) {
    const via = strings(r.uint());
    vias.push({ via, calls: r.uint() });
  }
  const environments = readSharedIds(r, strings, shared);
  const samples = readSamples(r, 0);
  r.end();
  return { operations, vias, environments, samples };
}

/** Totals read back for merging a run into them. */
export function totalsAggregate(calls: number, errors: number, contents: Contents): Aggregate {
  const a = emptyAggregate();
  addTally(a, { calls, errors, firstMs: null, lastMs: null, ...contents });
  return a;
}

// ---------------------------------------------------------------------------------------------
// An edge-day: its shape (shared) and the rest.

export function encodeShape(a: Aggregate, dict: Dictionary): Buffer {
  const w = new Writer();
  writeOperations(w, a, dict, false);
  writeIds(w, a.environments, dict);
  writeIds(w, a.vias.keys(), dict);
  return w.done();
}

export function decodeShape(blob: Buffer, strings: Strings): Shape {
  const r = new Reader(blob);
  const operations: Shape['operations'][number][] = [];
  for (let i = r.uint(); i > 0; i--) {
    const name = strings(r.uint());
    const callee = readIds(r, strings);
    operations.push({ name, callee, caller: readIds(r, strings) });
  }
  const environments = readIds(r, strings);
  const vias = readIds(r, strings);
  r.end();
  return { operations, environments, vias };
}

/** First and last span time, calls per operation and queue in the shape's order, samples. */
export function encodeDay(a: Aggregate, day: number): Buffer {
  const w = new Writer();
  w.time(a.firstMs, dayStartMs(day));
  w.time(a.lastMs, a.firstMs ?? dayStartMs(day));
  for (const name of sorted(a.operations.keys())) w.uint(a.operations.get(name)!.calls);
  for (const via of sorted(a.vias.keys())) w.uint(a.vias.get(via)!);
  writeSamples(w, a.samples, a.firstMs ?? dayStartMs(day));
  return w.done();
}

/**
 * Adds an edge-day to `target`. `merged` remembers, for one target, the shapes already added to
 * it (with the operations they name): a shape seen before adds only its counts.
 */
export function addDay(
  target: Aggregate,
  day: number,
  calls: number,
  errors: number,
  shape: Shape,
  blob: Buffer,
  merged: Map<Shape, OperationAggregate[]> = new Map(),
): void {
  const r = new Reader(blob);
  const firstMs = r.time(dayStartMs(day));
  const lastMs = r.time(firstMs ?? dayStartMs(day));
  target.calls += calls;
  target.errors += errors;
  target.firstMs = minTime(target.firstMs, firstMs);
  target.lastMs = maxTime(target.lastMs, lastMs);
  let operations = merged.get(shape);
  if (operations === undefined) {
    operations = shape.operations.map((op) => {
      const into = operation(target, op.name);
      for (const v of op.callee) into.callee.add(v);
      for (const v of op.caller) into.caller.add(v);
      return into;
    });
    for (const e of shape.environments) target.environments.add(e);
    merged.set(shape, operations);
  }
  for (const op of operations) op.calls += r.uint();
  for (const via of shape.vias) target.vias.set(via, (target.vias.get(via) ?? 0) + r.uint());
  addSamples(r, firstMs ?? dayStartMs(day), target.samples);
  r.end();
}
