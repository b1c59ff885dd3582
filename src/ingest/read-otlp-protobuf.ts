/**
 * Reads OTLP protobuf trace data (FORMATS.md §2.3): the Collector file exporter's `format: proto`
 * layout (each `TracesData` preceded by its length as a 4-byte big-endian integer), or one
 * unframed `ExportTraceServiceRequest` / `TracesData` message (an HTTP body saved to a file).
 * Frames are decoded one at a time, so memory is bounded by the largest frame; an unframed
 * message can only be decoded whole, up to MAX_MESSAGE_BYTES. Spans go through the OTLP/JSON
 * reader's `readSpan`, so both encodings give the same spans.
 */
import type protobuf from 'protobufjs/light.js';
import type { SpanResource } from '../model.js';
import { RESOURCE_ATTRIBUTE_KEYS } from '../semconv.js';
import { ByteInput, formatMiB, readUint32BE } from './byte-input.js';
import { DEFAULT_LIMITS, type IngestLimits, howToRaise } from './limits.js';
import { OversizedAttributes } from './oversized-attributes.js';
import { FieldProblem, readAttributes } from './otlp-values.js';
import { readSpan } from './read-otlp-json.js';
import { SpanResources, UNKNOWN_SERVICE } from './span-resources.js';
import type { SpanSink } from './span-sink.js';

/**
 * The largest frame or unframed message read (the OTLP spec recommends receivers cap a request at
 * 64 MiB; files batch more). A frame length beyond it is taken for damage, not data.
 */
export const MAX_MESSAGE_BYTES = DEFAULT_LIMITS.maxMessageBytes;

/** Bytes looked at to recognise protobuf (a few levels of nested field headers). */
export const OTLP_PROTOBUF_PROBE_BYTES = 256;

interface Schema {
  readonly TracesData: protobuf.Type;
  readonly SpanType: protobuf.Type;
  readonly ResourceType: protobuf.Type;
}

let schema: Promise<Schema> | null = null;

/** protobufjs and the schema load when a protobuf input is read, not at every start (~35 ms). */
function loadSchema(): Promise<Schema> {
  schema ??= (async () => {
    const [{ default: pb }, { OTLP_TRACE_SCHEMA }] = await Promise.all([import('protobufjs/light.js'), import('./proto/otlp-trace-schema.js')]);
    const root = pb.Root.fromJSON(OTLP_TRACE_SCHEMA as protobuf.INamespace);
    return {
      TracesData: root.lookupType('opentelemetry.proto.trace.v1.TracesData'),
      SpanType: root.lookupType('opentelemetry.proto.trace.v1.Span'),
      ResourceType: root.lookupType('opentelemetry.proto.resource.v1.Resource'),
    };
  })();
  return schema;
}


const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: Number };

type Layout = 'framed' | 'unframed';

/**
 * Whether the first bytes of an input are OTLP protobuf: a 4-byte frame length followed by a
 * `TracesData`, or a bare `TracesData`; the first levels of field headers must fit the schema.
 * Text is never taken for protobuf: a byte-order mark, or `{`, `[`, a space, tab or carriage
 * return first, is text; a newline first (the byte that starts every `TracesData`) is protobuf
 * only if what follows nests like one, which JSON after a blank line does not.
 * `complete` says `head` is the whole input.
 */
export function looksLikeOtlpProtobuf(head: Uint8Array, complete = head.length < OTLP_PROTOBUF_PROBE_BYTES): boolean {
  return detectLayout(head, complete) !== null;
}

function detectLayout(head: Uint8Array, complete: boolean): Layout | null {
  if (head.length < 2 || startsLikeText(head)) return null;
  if (head.length >= 6 && head[4] === 0x0a) {
    const length = readUint32BE(head);
    const end = 4 + length;
    if (length > 0 && length <= MAX_MESSAGE_BYTES && isTracesDataPrefix(head, 4, complete ? Math.min(end, head.length) : end)) return 'framed';
  }
  if (head[0] === 0x0a && isTracesDataPrefix(head, 0, complete ? head.length : Infinity)) return 'unframed';
  return null;
}

function startsLikeText(head: Uint8Array): boolean {
  const b = head[0];
  if (b === 0xef || b === 0xff || b === 0xfe) return true; // byte-order marks
  return b === 0x7b || b === 0x5b || b === 0x20 || b === 0x09 || b === 0x0d;
}

const LEN = 2;
const VARINT = 0;
/** Field number -> wire type (and the message it holds) for the outer levels of a TracesData. */
interface Shape {
  readonly [field: number]: { readonly wire: number; readonly inner?: Shape };
}
const RESOURCE_SHAPE: Shape = { 1: { wire: LEN }, 2: { wire: VARINT }, 3: { wire: LEN } };
const SCOPE_SPANS_SHAPE: Shape = { 1: { wire: LEN }, 2: { wire: LEN }, 3: { wire: LEN } };
const RESOURCE_SPANS_SHAPE: Shape = { 1: { wire: LEN, inner: RESOURCE_SHAPE }, 2: { wire: LEN, inner: SCOPE_SPANS_SHAPE }, 3: { wire: LEN } };
const TRACES_DATA_SHAPE: Shape = { 1: { wire: LEN, inner: RESOURCE_SPANS_SHAPE } };

/**
 * Whether bytes [start, end) of `bytes` (as far as `bytes` goes) are field headers of a
 * TracesData, two levels down: known field numbers, the right wire types, lengths that fit.
 */
function isTracesDataPrefix(bytes: Uint8Array, start: number, end: number): boolean {
  return fitsShape(bytes, start, end, TRACES_DATA_SHAPE) && start < bytes.length;
}

function fitsShape(bytes: Uint8Array, start: number, end: number, shape: Shape): boolean {
  let at = start;
  const stop = Math.min(end, bytes.length);
  while (at < stop) {
    const tag = readVarint(bytes, at);
    if (tag === null) return true; // header cut off by the end of the probe
    const field = shape[tag.value >>> 3];
    if (field === undefined || field.wire !== (tag.value & 7)) return false;
    at = tag.next;
    const value = readVarint(bytes, at);
    if (value === null) return at >= bytes.length;
    if (field.wire === VARINT) {
      at = value.next;
      continue;
    }
    const valueEnd = value.next + value.value;
    if (valueEnd > end) return false;
    if (field.inner !== undefined && !fitsShape(bytes, value.next, valueEnd, field.inner)) return false;
    at = valueEnd;
  }
  return true;
}

/** A varint of up to 5 bytes (tags and lengths here are below 2^32); null if cut off or longer. */
function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } | null {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    const b = bytes[at + i];
    if (b === undefined) return null;
    value += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) return { value, next: at + i + 1 };
  }
  return null;
}

/**
 * Reads one input's protobuf bytes into the sink; resolves to the number of frames read (the
 * number rejections give as their line: frame 1, 2, ... or 1 for an unframed message).
 */
export async function readOtlpProtobuf(chunks: AsyncIterable<Uint8Array>, file: string, sink: SpanSink, limits: IngestLimits = DEFAULT_LIMITS): Promise<number> {
  const input = new ByteInput(chunks);
  const complete = !(await input.ensure(OTLP_PROTOBUF_PROBE_BYTES));
  const layout = detectLayout(input.peek(OTLP_PROTOBUF_PROBE_BYTES), complete) ?? 'unframed';
  const reader = new OtlpProtobufReader(await loadSchema(), file, sink, limits.maxMessageBytes, new OversizedAttributes(file, limits.maxAttributeBytes));
  const frames = layout === 'framed' ? await reader.readFrames(input) : await reader.readUnframed(input);
  reader.finish();
  return frames;
}

class OtlpProtobufReader {
  private readonly resources = new SpanResources();
  private readonly kindNotes = new Map<string, number>();

  constructor(
    private readonly schema: Schema,
    private readonly file: string,
    private readonly sink: SpanSink,
    private readonly maxMessageBytes: number,
    private readonly oversized: OversizedAttributes,
  ) {}

  async readFrames(input: ByteInput): Promise<number> {
    let frame = 0;
    while (await input.ensure(1)) {
      frame++;
      const at = input.offset;
      if (!(await input.ensure(4))) {
        this.reject(frame, `frame ${frame} at byte ${at}: ${input.buffered} byte(s) left, too few for a 4-byte length prefix (truncated file, or garbage after the last frame)`);
        break;
      }
      const length = readUint32BE(input.peek(4));
      if (length > this.maxMessageBytes) {
        this.reject(
          frame,
          `frame ${frame} at byte ${at}: length prefix ${length} is over limits.maxMessageBytes (${formatMiB(this.maxMessageBytes)}): ` +
            `a damaged length prefix, or garbage after the last frame; nothing after it was read (if the frame is real, ${howToRaise('maxMessageBytes')})`,
        );
        break;
      }
      input.take(4);
      if (!(await input.ensure(length))) {
        this.reject(frame, `frame ${frame} at byte ${at}: truncated: its length prefix says ${length} bytes, only ${input.buffered} follow`);
        break;
      }
      this.readMessage(input.take(length), frame, `frame ${frame} (bytes ${at}-${at + 4 + length})`);
    }
    return Math.max(frame, 1);
  }

  async readUnframed(input: ByteInput): Promise<number> {
    if (await input.ensure(this.maxMessageBytes + 1)) {
      this.reject(
        1,
        `an unframed protobuf message over limits.maxMessageBytes (${formatMiB(this.maxMessageBytes)}) cannot be read: it can only be decoded whole; ` +
          `write it as length-prefixed frames (the Collector file exporter's format: proto), split it, or ${howToRaise('maxMessageBytes')}`,
      );
      return 1;
    }
    const length = input.buffered;
    this.readMessage(input.take(length), 1, `the message (bytes 0-${length})`);
    return 1;
  }

  private readMessage(bytes: Uint8Array, line: number, where: string): void {
    let message: Record<string, unknown>;
    try {
      message = this.schema.TracesData.decode(bytes) as unknown as Record<string, unknown>;
    } catch (error) {
      this.reject(line, `${where}: not a valid OTLP protobuf TracesData message (${(error as Error).message})`);
      return;
    }
    const resourceSpans = message.resourceSpans as Record<string, unknown>[];
    if (resourceSpans.length === 0) {
      if (bytes.length > 0) this.reject(line, `${where}: no resourceSpans: not OTLP trace data`);
      return;
    }
    resourceSpans.forEach((rs, i) => {
      const resource = this.readResource(rs.resource);
      // The deprecated instrumentation_library_spans (field 1000) only when scope_spans is empty, as the schema says.
      const scopes = rs.scopeSpans as Record<string, unknown>[];
      const legacy = scopes.length === 0 ? ((rs.instrumentationLibrarySpans as Record<string, unknown>[] | undefined) ?? []) : [];
      const key = legacy.length > 0 ? 'instrumentationLibrarySpans' : 'scopeSpans';
      (legacy.length > 0 ? legacy : scopes).forEach((scope, j) => {
        (scope.spans as protobuf.Message[]).forEach((span, k) => {
          this.emit(span, resource, line, where, `resourceSpans[${i}].${key}[${j}].spans[${k}]`);
        });
      });
    });
  }

  /** The same resource reading as the OTLP/JSON reader, on the decoded message. */
  private readResource(message: unknown): SpanResource {
    const obj = message == null ? null : this.schema.ResourceType.toObject(message as protobuf.Message, TO_OBJECT);
    return this.resources.fromAttributes(obj === null ? {} : readAttributes(obj.attributes, RESOURCE_ATTRIBUTE_KEYS));
  }

  private emit(message: protobuf.Message, resource: SpanResource, line: number, where: string, path: string): void {
    const obj = toJsonShape(this.schema.SpanType.toObject(message, TO_OBJECT));
    const span = obj instanceof FieldProblem ? obj : readSpan(obj, resource);
    if (span instanceof FieldProblem) {
      this.sink.reject({ file: this.file, line, field: `${path}.${span.field}`, reason: `${span.reason} (in ${where})` });
      return;
    }
    if (span.kindNote !== null) this.kindNotes.set(span.kindNote, (this.kindNotes.get(span.kindNote) ?? 0) + 1);
    const attributes = this.oversized.prune(span.span.attributes, line, path);
    this.sink.span(attributes === span.span.attributes ? span.span : { ...span.span, attributes });
  }

  /** Warnings as the OTLP/JSON reader gives them, once per input. */
  finish(): void {
    if (this.resources.withoutService > 0) {
      this.sink.warn(this.file, `resources without service.name: their spans count as ${UNKNOWN_SERVICE}`, this.resources.withoutService);
    }
    for (const [note, count] of this.kindNotes) this.sink.warn(this.file, note, count);
    this.oversized.report(this.sink);
  }

  private reject(line: number, reason: string): void {
    this.sink.reject({ file: this.file, line, field: null, reason });
  }
}

/**
 * A decoded span in the OTLP/JSON shape `readSpan` reads: ids from bytes to lowercase hex (after
 * checking their byte length, which the hex form would misreport), everything else as protobufjs
 * converts it (64-bit integers as decimal strings, enums as numbers, unset fields absent).
 */
function toJsonShape(span: Record<string, unknown>): Record<string, unknown> | FieldProblem {
  const traceId = idHex(span.traceId, 16, 'traceId');
  if (traceId instanceof FieldProblem) return traceId;
  const spanId = idHex(span.spanId, 8, 'spanId');
  if (spanId instanceof FieldProblem) return spanId;
  const parent = span.parentSpanId as Uint8Array | undefined;
  const parentSpanId = parent === undefined || parent.length === 0 ? null : idHex(parent, 8, 'parentSpanId');
  if (parentSpanId instanceof FieldProblem) return parentSpanId;
  const links = Array.isArray(span.links)
    ? (span.links as Record<string, unknown>[]).map((link) => ({ traceId: bytesHex(link.traceId), spanId: bytesHex(link.spanId) }))
    : undefined;
  return { ...span, traceId, spanId, parentSpanId, links };
}

function idHex(value: unknown, bytes: 16 | 8, field: string): string | FieldProblem {
  const id = value as Uint8Array | undefined;
  if (id === undefined || id.length === 0) return new FieldProblem(field, 'missing');
  if (id.length !== bytes) return new FieldProblem(field, `${id.length} bytes, expected ${bytes}`);
  return bytesHex(id);
}

function bytesHex(value: unknown): string {
  return value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') : '';
}
