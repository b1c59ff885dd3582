/**
 * Readers for the OTLP/JSON field encodings real exporters write (FORMATS.md §1): hex or legacy
 * base64 ids, enum numbers or names, 64-bit integers as strings, numbers or `{low, high}`, and
 * lowerCamelCase or snake_case keys. Each returns a value or a `FieldProblem`.
 */
import { SpanKind } from '@opentelemetry/api';

export class FieldProblem {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {}
}

type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a field under its lowerCamelCase name or its proto (snake_case) name; null = unset. */
export function readField(obj: Json, camel: string, snake: string): unknown {
  const v = obj[camel];
  if (v !== undefined && v !== null) return v;
  const s = obj[snake];
  return s === undefined ? null : s;
}

const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const ZEROS = /^0*$/;

/**
 * A trace id (16 bytes) or span id (8 bytes) as lowercase hex. OTLP/JSON writes hex in any case;
 * exports older than 2020 wrote base64, recognised by its exact length.
 */
export function readId(value: unknown, bytes: 16 | 8, field: string): string | FieldProblem {
  if (typeof value !== 'string') {
    return new FieldProblem(field, value === null ? 'missing' : `expected a hex string, got ${typeof value}`);
  }
  if (value === '') return new FieldProblem(field, 'empty');
  const hexLength = bytes * 2;
  let hex: string;
  if (value.length === hexLength && HEX.test(value)) {
    hex = value.toLowerCase();
  } else if (isBase64Length(value.length, bytes) && BASE64.test(value)) {
    const decoded = Buffer.from(value, 'base64');
    if (decoded.length !== bytes) return new FieldProblem(field, `base64 id of ${decoded.length} bytes, expected ${bytes}`);
    hex = decoded.toString('hex');
  } else if (HEX.test(value)) {
    return new FieldProblem(field, `${value.length} hex characters, expected ${hexLength}`);
  } else {
    return new FieldProblem(field, `not a hex id: ${JSON.stringify(value.slice(0, 40))}`);
  }
  if (ZEROS.test(hex)) return new FieldProblem(field, 'all zeros (invalid id)');
  return hex;
}

function isBase64Length(length: number, bytes: 16 | 8): boolean {
  return bytes === 16 ? length === 24 || length === 22 : length === 12 || length === 11;
}

/** A parent span id: empty, absent or all-zero means a root span. */
export function readParentId(value: unknown, field: string): string | null | FieldProblem {
  if (value === null || value === '') return null;
  if (typeof value === 'string' && value.length === 16 && ZEROS.test(value)) return null;
  return readId(value, 8, field);
}

const DIGITS = /^\d+$/;

/**
 * A fixed64 nanosecond timestamp as Unix milliseconds (fractional). Accepts a decimal string, a
 * number, and the `{low, high}` objects an old JavaScript exporter wrote; null when unset.
 */
export function readNanosAsMillis(value: unknown, field: string): number | null | FieldProblem {
  if (value === null || value === '' || value === 0 || value === '0') return null;
  if (typeof value === 'string') {
    if (!DIGITS.test(value)) return new FieldProblem(field, `not a decimal integer: ${JSON.stringify(value.slice(0, 40))}`);
    if (value.length <= 6) return Number(value) / 1e6;
    return Number(value.slice(0, -6)) + Number(value.slice(-6)) / 1e6;
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) return new FieldProblem(field, `not a non-negative integer: ${value}`);
    return value / 1e6;
  }
  if (isObject(value) && typeof value.low === 'number' && typeof value.high === 'number') {
    const nanos = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
    return Number(nanos / 1000n) / 1000;
  }
  return new FieldProblem(field, 'expected nanoseconds as a string or number');
}

const KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

/** OTLP kind numbers are the API's SpanKind plus one; 0 (unspecified) has no API value. */
const KIND_FROM_OTLP: readonly (SpanKind | undefined)[] = [
  undefined,
  SpanKind.INTERNAL,
  SpanKind.SERVER,
  SpanKind.CLIENT,
  SpanKind.PRODUCER,
  SpanKind.CONSUMER,
];

export interface KindReading {
  readonly kind: SpanKind | undefined;
  /** Set when the value was accepted but is not what the spec asks senders to write. */
  readonly note: string | null;
}

const KIND_OK: KindReading[] = KIND_FROM_OTLP.map((kind) => ({ kind, note: null }));

export function readKind(value: unknown, field: string): KindReading | FieldProblem {
  if (value === null) return KIND_OK[0]!;
  if (typeof value === 'number' && Number.isInteger(value)) {
    const ok = KIND_OK[value];
    if (ok) return ok;
    return { kind: undefined, note: `spans of unknown kind ${value}, read as unspecified` };
  }
  if (typeof value === 'string') {
    const n = KIND_NAMES[value];
    if (n !== undefined) return { kind: KIND_FROM_OTLP[n], note: 'spans whose kind is an enum name, not a number (accepted)' };
    if (DIGITS.test(value)) return readKind(Number(value), field);
  }
  return new FieldProblem(field, `not a span kind: ${JSON.stringify(value)}`);
}

const STATUS_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

/** Whether a span's status is ERROR; unknown codes are not errors. */
export function readIsError(status: unknown): boolean {
  if (!isObject(status)) return false;
  const code = status.code;
  if (code === 2 || code === '2') return true;
  return typeof code === 'string' && STATUS_NAMES[code] === 2;
}

/** The value of an OTLP AnyValue as text, for the scalar kinds; null for others or empty. */
export function readAnyValueAsString(value: unknown): string | null {
  if (!isObject(value)) return null;
  const s = readField(value, 'stringValue', 'string_value');
  if (typeof s === 'string') return s;
  const i = readField(value, 'intValue', 'int_value');
  if (typeof i === 'string' || typeof i === 'number') return String(i);
  const d = readField(value, 'doubleValue', 'double_value');
  if (typeof d === 'number' || typeof d === 'string') return String(d);
  const b = readField(value, 'boolValue', 'bool_value');
  if (typeof b === 'boolean') return String(b);
  return null;
}

/**
 * Collects the attributes named in `wanted` from an OTLP KeyValue list, as strings. Malformed
 * entries are skipped: an attribute rollgraph does not read never rejects a span.
 */
export function readAttributes(list: unknown, wanted: ReadonlySet<string>): Record<string, string> {
  if (!Array.isArray(list)) return NO_ATTRIBUTES;
  let out: Record<string, string> | null = null;
  for (const kv of list) {
    if (!isObject(kv)) continue;
    const key = kv.key;
    if (typeof key !== 'string' || !wanted.has(key)) continue;
    const text = readAnyValueAsString(kv.value);
    if (text !== null && text !== '') (out ??= {})[key] = text;
  }
  return out ?? NO_ATTRIBUTES;
}

/** Shared by every span without an attribute rollgraph reads: most spans, most of the memory. */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({}) as Record<string, string>;
