/**
 * Reads Jaeger JSON (FORMATS.md §3): the query API / UI download envelope
 * `{"data": [Trace...], "total", "limit", "offset", "errors"}`, the UI's state dump
 * `{"data": Trace, ...}`, a bare `Trace {traceID, spans, processes, warnings}`, or an array of
 * traces. Jaeger's Go encoder writes `spans` before `processes`, so a trace's spans wait until its
 * object closes (memory bounded by one trace, never the file). Each span is read field by field:
 * the UI dump embeds the whole parent span inside every reference, which is skipped unread.
 */
import { SpanKind } from '@opentelemetry/api';
import type { Span, SpanLink, SpanResource } from '../model.js';
import { RESOURCE_ATTRIBUTE_KEYS, SPAN_ATTRIBUTE_KEYS } from '../semconv.js';
import { CAPTURE, SKIP, type ScanDecision, type ScanFrame, type ScanHandler, JsonScanner, formatPath } from './json-scanner.js';
import { DEFAULT_LIMITS, type IngestLimits, howToRaise } from './limits.js';
import { parseJsonLossless } from './lossless-json.js';
import { OversizedAttributes } from './oversized-attributes.js';
import { FieldProblem, isObject } from './otlp-values.js';
import { SpanResources, UNKNOWN_SERVICE } from './span-resources.js';
import type { SpanSink } from './span-sink.js';

/** One trace object: its processes once read, and the spans read before them. */
interface TraceState {
  processes: Map<string, SpanResource> | null;
  waiting: SpanState[];
}

/** The fields of one span read so far, with where it stands in the input. */
interface SpanState {
  readonly fields: Record<string, unknown>;
  readonly references: Record<string, unknown>[];
  readonly line: number;
  readonly path: string;
}

interface DocumentState {
  readonly trace: TraceState;
  readonly line: number;
  hasData: boolean;
  errors: string[];
}

type Role =
  | { readonly t: 'document'; readonly doc: DocumentState }
  | { readonly t: 'trace-list' }
  | { readonly t: 'trace'; readonly trace: TraceState }
  | { readonly t: 'spans'; readonly trace: TraceState }
  | { readonly t: 'span'; readonly trace: TraceState; readonly span: SpanState }
  | { readonly t: 'references'; readonly span: SpanState }
  | { readonly t: 'reference'; readonly reference: Record<string, unknown> };

/** Span fields rollgraph reads; `logs`, `duration`, `warnings` and the UI's extras are skipped. */
const SPAN_FIELDS = new Set(['traceID', 'spanID', 'parentSpanID', 'operationName', 'startTime', 'tags', 'processID', 'process']);
const REFERENCE_FIELDS = new Set(['refType', 'traceID', 'spanID']);

const TRACE_LIST: ScanDecision<Role> = { action: 'descend', role: { t: 'trace-list' } };

/** Reads one input's bytes into the sink; resolves to the number of lines read. */
export async function readJaegerJson(chunks: AsyncIterable<Uint8Array>, file: string, sink: SpanSink, limits: IngestLimits = DEFAULT_LIMITS): Promise<number> {
  const reader = new JaegerJsonReader(file, sink, limits);
  const scanner = new JsonScanner<Role>(reader, limits);
  for await (const chunk of chunks) scanner.write(chunk);
  scanner.end();
  reader.finish(scanner.values);
  return scanner.currentLine;
}

class JaegerJsonReader implements ScanHandler<Role> {
  private readonly resources = new SpanResources();
  /** Traces whose object is open: flushed by `finish` if the input breaks off inside them. */
  private readonly openTraces = new Set<TraceState>();
  private missingProcess = 0;
  /** Spans with an id that is not hex, and whether the span being read has one. */
  private nonHexIds = 0;
  private spanHasNonHexId = false;
  private firstNonHex: string | null = null;
  private readonly oversized: OversizedAttributes;
  /** Spans dropped because their trace held more than limits.maxSpansPerTrace waiting for its processes. */
  private overflow: { count: number; line: number; field: string } | null = null;

  constructor(
    private readonly file: string,
    private readonly sink: SpanSink,
    private readonly limits: IngestLimits,
  ) {
    this.oversized = new OversizedAttributes(file, limits.maxAttributeBytes);
  }

  enter(parent: ScanFrame<Role> | null, key: string | number, kind: 'object' | 'array' | 'scalar', line: number): ScanDecision<Role> {
    if (parent === null) {
      if (kind === 'object') return { action: 'descend', role: { t: 'document', doc: { trace: this.openTrace(), line, hasData: false, errors: [] } } };
      if (kind === 'array') return TRACE_LIST;
      this.reject(line, null, 'expected a Jaeger JSON document (an object), got a scalar');
      return SKIP;
    }
    const role = parent.role;
    switch (role.t) {
      case 'document':
        if (key === 'data') {
          role.doc.hasData = kind !== 'scalar';
          if (kind === 'array') return TRACE_LIST;
          if (kind === 'object') return { action: 'descend', role: { t: 'trace', trace: this.openTrace() } };
          return SKIP; // null data: the errors say why
        }
        if (key === 'errors' && kind === 'array') return CAPTURE;
        return this.enterTraceField(role.doc.trace, key, kind, parent, line, role.doc);
      case 'trace-list':
        if (kind === 'object') return { action: 'descend', role: { t: 'trace', trace: this.openTrace() } };
        this.reject(line, formatPath(parent, key), 'expected a Jaeger trace object');
        return SKIP;
      case 'trace':
        return this.enterTraceField(role.trace, key, kind, parent, line, null);
      case 'spans':
        if (kind === 'object') {
          const span: SpanState = { fields: {}, references: [], line, path: formatPath(parent, key) };
          return { action: 'descend', role: { t: 'span', trace: role.trace, span } };
        }
        this.reject(line, formatPath(parent, key), 'expected a span object');
        return SKIP;
      case 'span':
        if (key === 'references' && kind === 'array') return { action: 'descend', role: { t: 'references', span: role.span } };
        return SPAN_FIELDS.has(String(key)) ? CAPTURE : SKIP;
      case 'references':
        if (kind === 'object') return { action: 'descend', role: { t: 'reference', reference: {} } };
        return SKIP;
      case 'reference':
        return REFERENCE_FIELDS.has(String(key)) ? CAPTURE : SKIP;
    }
  }

  private enterTraceField(trace: TraceState, key: string | number, kind: string, parent: ScanFrame<Role>, line: number, doc: DocumentState | null): ScanDecision<Role> {
    if (key === 'spans') {
      if (doc !== null) doc.hasData = true;
      if (kind === 'array') return { action: 'descend', role: { t: 'spans', trace } };
      this.reject(line, formatPath(parent, key), 'expected an array of spans');
      return SKIP;
    }
    if (key === 'processes' && kind === 'object') return CAPTURE;
    return SKIP;
  }

  capture(parent: ScanFrame<Role> | null, key: string | number, text: string, line: number, hasBigNumber: boolean): void {
    if (parent === null) return;
    let value: unknown;
    try {
      value = parseJsonLossless(text, hasBigNumber);
    } catch (error) {
      this.reject(line, formatPath(parent, key), `invalid JSON: ${(error as Error).message}`);
      return;
    }
    const role = parent.role;
    switch (role.t) {
      case 'span':
        role.span.fields[String(key)] = value;
        return;
      case 'reference':
        role.reference[String(key)] = value;
        return;
      case 'document':
        if (key === 'errors') {
          role.doc.errors = readErrors(value);
          return;
        }
        this.readProcesses(role.doc.trace, value);
        return;
      case 'trace':
        this.readProcesses(role.trace, value);
        return;
    }
  }

  exit(frame: ScanFrame<Role>): void {
    const role = frame.role;
    switch (role.t) {
      case 'reference':
        (frame.parent!.role as { span: SpanState }).span.references.push(role.reference);
        return;
      case 'span':
        if (role.trace.processes !== null) this.emit(role.span, role.trace);
        else if (role.trace.waiting.length < this.limits.maxSpansPerTrace) role.trace.waiting.push(role.span);
        else if (this.overflow === null) this.overflow = { count: 1, line: role.span.line, field: role.span.path };
        else this.overflow.count++;
        return;
      case 'trace':
        this.closeTrace(role.trace);
        return;
      case 'document': {
        this.closeTrace(role.doc.trace);
        const { doc } = role;
        for (const error of doc.errors) this.sink.warn(this.file, `the Jaeger query reported an error: ${error}`);
        if (!doc.hasData) {
          const reason =
            doc.errors.length > 0
              ? `no traces: the Jaeger query reported ${doc.errors.map((e) => JSON.stringify(e)).join(', ')}`
              : 'not Jaeger JSON: expected {"data": [traces]} or a trace {traceID, spans, processes}';
          this.reject(doc.line, null, reason);
        }
        return;
      }
    }
  }

  syntaxError(line: number, path: string, message: string, isLimit = false): void {
    this.reject(line, path === '' ? null : path, isLimit ? message : `invalid JSON: ${message}`);
  }

  finish(values: number): void {
    // A truncated input: the spans of the trace it broke off in still count.
    for (const trace of [...this.openTraces]) this.closeTrace(trace);
    if (values === 0) this.reject(1, null, 'no JSON value: the input is empty');
    if (this.resources.withoutService > 0) this.sink.warn(this.file, `Jaeger processes without serviceName: their spans count as ${UNKNOWN_SERVICE}`, this.resources.withoutService);
    if (this.missingProcess > 0) {
      this.sink.warn(this.file, `Jaeger spans whose processID is not in the trace's processes (and with no embedded process): they count as ${UNKNOWN_SERVICE}`, this.missingProcess);
    }
    if (this.nonHexIds > 0) {
      this.sink.warn(this.file, `Jaeger spans with ids that are not hex (e.g. ${JSON.stringify(this.firstNonHex)}), kept as given: they pair only with the same text`, this.nonHexIds);
    }
    if (this.overflow !== null) {
      const { count, line, field } = this.overflow;
      this.reject(
        line,
        field,
        `the trace has more than limits.maxSpansPerTrace (${this.limits.maxSpansPerTrace.toLocaleString('en-US')}) spans before its processes: ` +
          `this span and ${(count - 1).toLocaleString('en-US')} more were not read; ${howToRaise('maxSpansPerTrace')}`,
      );
    }
    this.oversized.report(this.sink);
  }

  private openTrace(): TraceState {
    const trace: TraceState = { processes: null, waiting: [] };
    this.openTraces.add(trace);
    return trace;
  }

  private closeTrace(trace: TraceState): void {
    if (!this.openTraces.delete(trace)) return;
    for (const span of trace.waiting) this.emit(span, trace);
    trace.waiting = [];
  }

  private readProcesses(trace: TraceState, value: unknown): void {
    const processes = new Map<string, SpanResource>();
    if (isObject(value)) for (const [id, process] of Object.entries(value)) processes.set(id, this.readProcess(process));
    trace.processes = processes;
    for (const span of trace.waiting) this.emit(span, trace);
    trace.waiting = [];
  }

  private readProcess(process: unknown): SpanResource {
    const p = isObject(process) ? process : {};
    return this.resources.fromAttributes(readTags(p.tags, RESOURCE_ATTRIBUTE_KEYS), typeof p.serviceName === 'string' ? p.serviceName : null);
  }

  private resourceOf(span: SpanState, trace: TraceState): SpanResource {
    const id = span.fields.processID;
    const fromTrace = typeof id === 'string' ? trace.processes?.get(id) : undefined;
    if (fromTrace !== undefined) return fromTrace;
    if (isObject(span.fields.process)) return this.readProcess(span.fields.process);
    this.missingProcess++;
    return this.readProcess({ serviceName: UNKNOWN_SERVICE });
  }

  private emit(state: SpanState, trace: TraceState): void {
    this.spanHasNonHexId = false;
    const span = this.readSpan(state, trace);
    if (this.spanHasNonHexId) this.nonHexIds++;
    if (span instanceof FieldProblem) {
      this.reject(state.line, `${state.path}.${span.field}`, span.reason);
      return;
    }
    const attributes = this.oversized.prune(span.attributes, state.line, state.path);
    this.sink.span(attributes === span.attributes ? span : { ...span, attributes });
  }

  private readSpan(state: SpanState, trace: TraceState): Span | FieldProblem {
    const f = state.fields;
    const traceId = this.readId(f.traceID, 32, 'traceID');
    if (traceId instanceof FieldProblem) return traceId;
    const spanId = this.readId(f.spanID, 16, 'spanID');
    if (spanId instanceof FieldProblem) return spanId;
    const refs = this.readReferences(state.references, traceId);
    if (refs instanceof FieldProblem) return refs;
    let parentSpanId = refs.parent;
    if (parentSpanId === null && f.parentSpanID !== undefined && f.parentSpanID !== null && f.parentSpanID !== '') {
      const parent = this.readId(f.parentSpanID, 16, 'parentSpanID');
      if (parent instanceof FieldProblem) {
        if (parent.reason !== ALL_ZEROS) return parent;
      } else {
        parentSpanId = parent;
      }
    }
    const startMs = readMicrosAsMillis(f.startTime, 'startTime');
    if (startMs instanceof FieldProblem) return startMs;
    if (f.tags !== undefined && f.tags !== null && !Array.isArray(f.tags)) return new FieldProblem('tags', `expected an array of {key, type, value}, got ${typeof f.tags}`);
    const tags = readTags(f.tags, TAGS_READ);
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(tags)) if (SPAN_ATTRIBUTE_KEYS.has(k)) attributes[k] = v;
    const kindTag = tags['span.kind'];
    return {
      traceId,
      spanId,
      parentSpanId: parentSpanId === spanId ? null : parentSpanId,
      resource: this.resourceOf(state, trace),
      kind: kindTag === undefined ? undefined : KINDS[kindTag.toLowerCase()],
      name: typeof f.operationName === 'string' ? f.operationName : '',
      isError: tags.error?.toLowerCase() === 'true' || tags['otel.status_code'] === 'ERROR',
      startMs,
      attributes: Object.keys(attributes).length === 0 ? NO_ATTRIBUTES : attributes,
      links: refs.links,
    };
  }

  /**
   * The parent is the first CHILD_OF reference in the same trace, else the first same-trace
   * FOLLOWS_FROM (jaeger-idl model/v1/span.go ParentSpanID); every other reference is a link.
   */
  private readReferences(references: readonly Record<string, unknown>[], traceId: string): { parent: string | null; links: readonly SpanLink[] } | FieldProblem {
    if (references.length === 0) return { parent: null, links: NO_LINKS };
    const read: { type: string; traceId: string; spanId: string }[] = [];
    for (let i = 0; i < references.length; i++) {
      const r = references[i]!;
      const refTrace = r.traceID === undefined || r.traceID === null ? traceId : this.readId(r.traceID, 32, `references[${i}].traceID`);
      if (refTrace instanceof FieldProblem) return refTrace;
      const refSpan = this.readId(r.spanID, 16, `references[${i}].spanID`);
      if (refSpan instanceof FieldProblem) return refSpan;
      read.push({ type: typeof r.refType === 'string' ? r.refType.toUpperCase() : 'CHILD_OF', traceId: refTrace, spanId: refSpan });
    }
    const parent = read.find((r) => r.type === 'CHILD_OF' && r.traceId === traceId) ?? read.find((r) => r.type === 'FOLLOWS_FROM' && r.traceId === traceId);
    const links = read.filter((r) => r !== parent).map((r) => ({ traceId: r.traceId, spanId: r.spanId }));
    return { parent: parent?.spanId ?? null, links: links.length === 0 ? NO_LINKS : links };
  }

  /** A Jaeger id as lowercase hex, left-padded to 32/16; a non-hex id is kept as given (and counted). */
  private readId(value: unknown, length: 32 | 16, field: string): string | FieldProblem {
    if (typeof value === 'string' && value !== '' && !HEX.test(value)) {
      this.spanHasNonHexId = true;
      this.firstNonHex ??= value.slice(0, 40);
      return value;
    }
    return readPaddedHexId(value, length, field);
  }

  private reject(line: number, field: string | null, reason: string): void {
    this.sink.reject({ file: this.file, line, field: field === '' ? null : field, reason });
  }
}

const HEX = /^[0-9a-fA-F]+$/;
const ZEROS = /^0+$/;
export const ALL_ZEROS = 'all zeros (invalid id)';

/**
 * A Jaeger or Zipkin id as lowercase hex left-padded to `length`: both print ids without their
 * leading zeros (a 64-bit trace id as 16 characters), so shorter ids are valid.
 */
export function readPaddedHexId(value: unknown, length: 32 | 16, field: string): string | FieldProblem {
  if (value === undefined || value === null) return new FieldProblem(field, 'missing');
  if (typeof value !== 'string') return new FieldProblem(field, `expected a hex string, got ${typeof value}`);
  if (value === '') return new FieldProblem(field, 'empty');
  if (!HEX.test(value)) return new FieldProblem(field, `not a hex id: ${JSON.stringify(value.slice(0, 40))}`);
  if (value.length > length) return new FieldProblem(field, `${value.length} hex characters, expected at most ${length}`);
  if (ZEROS.test(value)) return new FieldProblem(field, ALL_ZEROS);
  return value.toLowerCase().padStart(length, '0');
}

const NO_LINKS: readonly SpanLink[] = [];
const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});
const TAGS_READ: ReadonlySet<string> = new Set([...SPAN_ATTRIBUTE_KEYS, 'span.kind', 'error', 'otel.status_code']);

/** Values of the `span.kind` tag (the OpenTracing names); anything else is unspecified. */
const KINDS: Record<string, SpanKind> = {
  client: SpanKind.CLIENT,
  server: SpanKind.SERVER,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
  internal: SpanKind.INTERNAL,
};

/**
 * Jaeger tags `[{key, type, value}]` named in `wanted`, as strings: string, bool, int64 (a number,
 * or a decimal string beyond 2^53) and float64 values; binary values are skipped.
 */
function readTags(list: unknown, wanted: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(list)) return out;
  for (const tag of list) {
    if (!isObject(tag) || typeof tag.key !== 'string' || !wanted.has(tag.key) || tag.type === 'binary') continue;
    const v = tag.value;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      const text = String(v);
      if (text !== '') out[tag.key] = text;
    }
  }
  return out;
}

function readErrors(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((e) => (isObject(e) && typeof e.msg === 'string' ? e.msg : JSON.stringify(e)));
}

/** Epoch microseconds (a number, or a decimal string) as Unix milliseconds; null when absent or zero. */
export function readMicrosAsMillis(value: unknown, field: string): number | null | FieldProblem {
  if (value === undefined || value === null || value === 0 || value === '0') return null;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value / 1000;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value) / 1000;
  return new FieldProblem(field, `expected epoch microseconds (a number), got ${JSON.stringify(value).slice(0, 40)}`);
}
