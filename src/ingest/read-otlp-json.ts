/**
 * Reads OTLP/JSON trace exports as real exporters write them: one ExportTraceServiceRequest /
 * TracesData document (compact or pretty-printed), a JSON array of them, JSON Lines (the
 * Collector's file exporter), or concatenated documents. Spans are parsed one at a time from the
 * scanner's captures, so memory does not grow with the file. Quirks: FORMATS.md §1.
 */
import type { Span, SpanLink, SpanResource } from '../model.js';
import { RESOURCE_ATTRIBUTE_KEYS, SPAN_ATTRIBUTE_KEYS } from '../semconv.js';
import { CAPTURE, SKIP, type ScanDecision, type ScanFrame, type ScanHandler, JsonScanner, formatPath } from './json-scanner.js';
import { DEFAULT_LIMITS, type IngestLimits } from './limits.js';
import { parseJsonLossless } from './lossless-json.js';
import { OversizedAttributes } from './oversized-attributes.js';
import {
  FieldProblem,
  isObject,
  readAttributes,
  readField,
  readId,
  readIsError,
  readKind,
  readNanosAsMillis,
  readParentId,
} from './otlp-values.js';
import { SpanResources, UNKNOWN_SERVICE } from './span-resources.js';
import type { SpanSink } from './span-sink.js';

const RESOURCE_SPANS_KEYS = new Set(['resourceSpans', 'resource_spans', 'batches']);
const SCOPE_SPANS_KEYS = new Set(['scopeSpans', 'scope_spans']);
const LEGACY_SCOPE_SPANS_KEYS = new Set(['instrumentationLibrarySpans', 'instrumentation_library_spans']);
const OTHER_SIGNALS: Record<string, string> = {
  resourceLogs: 'OTLP logs',
  resource_logs: 'OTLP logs',
  resourceMetrics: 'OTLP metrics',
  resource_metrics: 'OTLP metrics',
  resourceProfiles: 'OTLP profiles',
  resource_profiles: 'OTLP profiles',
};

interface DocumentState {
  hasTraces: boolean;
  keys: string[];
  line: number;
}

interface ResourceSpansState {
  resource: SpanResource | null;
  hasScopeSpans: boolean;
  /** Spans read before the resource, or from the legacy key, waiting for the object to close. */
  waiting: { obj: Record<string, unknown>; path: string; line: number; legacy: boolean }[];
}

type Role =
  | { readonly t: 'documents' }
  | { readonly t: 'document'; readonly doc: DocumentState }
  | { readonly t: 'resource-spans-list'; readonly doc: DocumentState }
  | { readonly t: 'resource-spans'; readonly rs: ResourceSpansState }
  | { readonly t: 'scope-spans-list'; readonly rs: ResourceSpansState; readonly legacy: boolean }
  | { readonly t: 'scope-spans'; readonly rs: ResourceSpansState; readonly legacy: boolean }
  | { readonly t: 'spans'; readonly rs: ResourceSpansState; readonly legacy: boolean };

const DOCUMENTS: ScanDecision<Role> = { action: 'descend', role: { t: 'documents' } };

/** Reads one input's bytes into the sink; resolves to the number of lines read. */
export async function readOtlpJson(chunks: AsyncIterable<Uint8Array>, file: string, sink: SpanSink, limits: IngestLimits = DEFAULT_LIMITS): Promise<number> {
  const reader = new OtlpJsonReader(file, sink, new OversizedAttributes(file, limits.maxAttributeBytes));
  const scanner = new JsonScanner<Role>(reader, limits);
  for await (const chunk of chunks) scanner.write(chunk);
  scanner.end();
  reader.finish(scanner.values);
  return scanner.currentLine;
}

class OtlpJsonReader implements ScanHandler<Role> {
  private readonly resources = new SpanResources();
  private snakeCase = false;
  private legacyScope = false;
  private readonly kindNotes = new Map<string, number>();
  /** Documents of another format: the first of each kind, and how many there were. */
  private readonly foreign = new Map<string, { line: number; field: string; count: number }>();

  constructor(
    private readonly file: string,
    private readonly sink: SpanSink,
    private readonly oversized: OversizedAttributes,
  ) {}

  enter(parent: ScanFrame<Role> | null, key: string | number, kind: 'object' | 'array' | 'scalar', line: number): ScanDecision<Role> {
    if (parent === null || parent.role.t === 'documents') {
      if (kind === 'object') return { action: 'descend', role: { t: 'document', doc: { hasTraces: false, keys: [], line } } };
      if (kind === 'array' && parent === null) return DOCUMENTS;
      this.reject(line, formatPath(parent, parent === null ? undefined : key), `expected an OTLP trace document (an object), got ${kind === 'array' ? 'an array' : 'a scalar'}`);
      return SKIP;
    }
    const role = parent.role;
    switch (role.t) {
      case 'document': {
        const name = String(key);
        role.doc.keys.push(name);
        if (RESOURCE_SPANS_KEYS.has(name)) {
          role.doc.hasTraces = true;
          if (kind !== 'array') {
            this.reject(line, formatPath(parent, key), `expected an array of resourceSpans, got ${kind === 'object' ? 'an object' : 'a scalar'}`);
            return SKIP;
          }
          if (name === 'resource_spans') this.snakeCase = true;
          return { action: 'descend', role: { t: 'resource-spans-list', doc: role.doc } };
        }
        const other = OTHER_SIGNALS[name];
        if (other !== undefined) {
          role.doc.hasTraces = true; // reported here, not again as "no resourceSpans"
          this.reject(line, formatPath(parent, key), `this is ${other} data, not traces`);
        }
        return SKIP;
      }
      case 'resource-spans-list':
        if (kind === 'object') return { action: 'descend', role: { t: 'resource-spans', rs: { resource: null, hasScopeSpans: false, waiting: [] } } };
        this.reject(line, formatPath(parent, key), 'expected a resourceSpans object');
        return SKIP;
      case 'resource-spans': {
        const name = String(key);
        if (name === 'resource' && kind === 'object') return CAPTURE;
        if (kind !== 'array') return SKIP;
        if (SCOPE_SPANS_KEYS.has(name)) {
          role.rs.hasScopeSpans = true;
          if (name === 'scope_spans') this.snakeCase = true;
          return { action: 'descend', role: { t: 'scope-spans-list', rs: role.rs, legacy: false } };
        }
        if (LEGACY_SCOPE_SPANS_KEYS.has(name)) {
          if (role.rs.hasScopeSpans) return SKIP; // double-published: scopeSpans wins
          this.legacyScope = true;
          return { action: 'descend', role: { t: 'scope-spans-list', rs: role.rs, legacy: true } };
        }
        return SKIP;
      }
      case 'scope-spans-list':
        if (kind === 'object') return { action: 'descend', role: { t: 'scope-spans', rs: role.rs, legacy: role.legacy } };
        return SKIP;
      case 'scope-spans':
        if (key === 'spans' && kind === 'array') return { action: 'descend', role: { t: 'spans', rs: role.rs, legacy: role.legacy } };
        return SKIP;
      case 'spans':
        if (kind === 'object') return CAPTURE;
        this.reject(line, formatPath(parent, key), 'expected a span object');
        return SKIP;
    }
    return SKIP;
  }

  capture(parent: ScanFrame<Role> | null, key: string | number, text: string, line: number, hasBigNumber: boolean): void {
    if (parent === null) return;
    let obj: unknown;
    try {
      obj = parseJsonLossless(text, hasBigNumber);
    } catch (error) {
      this.reject(line, formatPath(parent, key), `invalid JSON: ${(error as Error).message}`);
      return;
    }
    const role = parent.role;
    if (role.t === 'resource-spans') {
      role.rs.resource = this.readResource(obj);
      return;
    }
    if (role.t !== 'spans' || !isObject(obj)) {
      this.reject(line, formatPath(parent, key), 'expected a span object');
      return;
    }
    const rs = role.rs;
    if (rs.resource === null || role.legacy) {
      rs.waiting.push({ obj, path: formatPath(parent, key), line, legacy: role.legacy });
      return;
    }
    this.emit(obj, rs.resource, parent, key, line);
  }

  exit(frame: ScanFrame<Role>, line: number): void {
    const role = frame.role;
    if (role.t === 'resource-spans') {
      const rs = role.rs;
      const resource = rs.resource ?? this.readResource(null);
      for (const w of rs.waiting) {
        if (w.legacy && rs.hasScopeSpans) continue;
        this.emit(w.obj, resource, null, w.path, w.line);
      }
      rs.waiting = [];
    } else if (role.t === 'document' && !role.doc.hasTraces) {
      this.rejectForeign(role.doc.line, formatPath(frame.parent === null ? null : frame), describeForeignDocument(role.doc.keys));
    }
    void line;
  }

  syntaxError(line: number, path: string, message: string, isLimit = false): void {
    this.reject(line, path === '' ? null : path, isLimit ? message : `invalid JSON: ${message}`);
  }

  /** Reports what the whole input taught, once per input. */
  finish(values: number): void {
    if (values === 0) this.reject(1, null, 'no JSON value: the input is empty');
    for (const [reason, { line, field, count }] of this.foreign) {
      this.reject(line, field, count === 1 ? reason : `${reason} (and ${count - 1} more records like it)`);
    }
    if (this.snakeCase) this.sink.warn(this.file, 'snake_case OTLP keys (resource_spans, scope_spans) accepted');
    if (this.legacyScope) this.sink.warn(this.file, 'legacy instrumentationLibrarySpans read as scopeSpans');
    if (this.resources.withoutService > 0) {
      this.sink.warn(this.file, `resources without service.name: their spans count as ${UNKNOWN_SERVICE}`, this.resources.withoutService);
    }
    for (const [note, count] of this.kindNotes) this.sink.warn(this.file, note, count);
    this.oversized.report(this.sink);
  }

  private readResource(obj: unknown): SpanResource {
    return this.resources.fromAttributes(isObject(obj) ? readAttributes(obj.attributes, RESOURCE_ATTRIBUTE_KEYS) : {});
  }

  /** Reads one span; the path of the span (frame and key) is only worked out for a rejection. */
  private emit(obj: Record<string, unknown>, resource: SpanResource, frame: ScanFrame<Role> | null, key: string | number, line: number): void {
    const span = readSpan(obj, resource);
    if (span instanceof FieldProblem) {
      const path = frame === null ? String(key) : formatPath(frame, key);
      this.reject(line, `${path}.${span.field}`, span.reason);
      return;
    }
    if (span.kindNote !== null) this.kindNotes.set(span.kindNote, (this.kindNotes.get(span.kindNote) ?? 0) + 1);
    const attributes = span.span.attributes;
    const kept = attributes === NO_ATTRIBUTES_READ ? attributes : this.oversized.prune(attributes, line, frame === null ? String(key) : formatPath(frame, key));
    this.sink.span(kept === attributes ? span.span : { ...span.span, attributes: kept });
  }

  /** A file of Zipkin spans is one mistake, not one per span: reported once, with a count. */
  private rejectForeign(line: number, field: string, reason: string): void {
    const seen = this.foreign.get(reason);
    if (seen === undefined) this.foreign.set(reason, { line, field, count: 1 });
    else seen.count++;
  }

  private reject(line: number, field: string | null, reason: string): void {
    this.sink.reject({ file: this.file, line, field: field === '' ? null : field, reason });
  }
}

function describeForeignDocument(keys: readonly string[]): string {
  const has = (k: string) => keys.includes(k);
  if (has('data') && keys.length <= 5) return 'looks like Jaeger JSON (a "data" key), not OTLP/JSON traces';
  if (has('traceID') && has('spans')) return 'looks like a Jaeger trace (traceID, spans, processes), not OTLP/JSON traces';
  if (has('traceId') && (has('localEndpoint') || has('remoteEndpoint') || has('id'))) {
    return 'looks like a Zipkin span, not OTLP/JSON traces';
  }
  if (has('context') && has('resource')) return 'looks like ConsoleSpanExporter output, not OTLP/JSON traces';
  const shown = keys.slice(0, 5).map((k) => JSON.stringify(k)).join(', ');
  return `no resourceSpans: not an OTLP trace document (keys: ${shown || 'none'})`;
}

export interface SpanReading {
  readonly span: Span;
  readonly kindNote: string | null;
}

const NO_LINKS: readonly SpanLink[] = [];
/** What `readAttributes` returns for a span without an attribute rollgraph reads. */
const NO_ATTRIBUTES_READ = readAttributes(null, new Set());

/** A span, or the problem with it (its field relative to the span). */
export function readSpan(obj: Record<string, unknown>, resource: SpanResource): SpanReading | FieldProblem {
  const traceId = readId(readField(obj, 'traceId', 'trace_id'), 16, 'traceId');
  if (traceId instanceof FieldProblem) return traceId;
  const spanId = readId(readField(obj, 'spanId', 'span_id'), 8, 'spanId');
  if (spanId instanceof FieldProblem) return spanId;
  const parentSpanId = readParentId(readField(obj, 'parentSpanId', 'parent_span_id'), 'parentSpanId');
  if (parentSpanId instanceof FieldProblem) return parentSpanId;
  const kind = readKind(readField(obj, 'kind', 'kind'), 'kind');
  if (kind instanceof FieldProblem) return kind;
  const startMs = readNanosAsMillis(readField(obj, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano');
  if (startMs instanceof FieldProblem) return startMs;
  const name = obj.name;
  const span: Span = {
    traceId,
    spanId,
    parentSpanId: parentSpanId === spanId ? null : parentSpanId,
    resource,
    kind: kind.kind,
    name: typeof name === 'string' ? name : '',
    isError: readIsError(obj.status),
    startMs,
    attributes: readAttributes(obj.attributes, SPAN_ATTRIBUTE_KEYS),
    links: readLinks(obj.links),
  };
  return { span, kindNote: kind.note };
}

function readLinks(value: unknown): readonly SpanLink[] {
  if (!Array.isArray(value) || value.length === 0) return NO_LINKS;
  const links: SpanLink[] = [];
  for (const link of value) {
    if (!isObject(link)) continue;
    const traceId = readId(readField(link, 'traceId', 'trace_id'), 16, 'traceId');
    const spanId = readId(readField(link, 'spanId', 'span_id'), 8, 'spanId');
    if (typeof traceId === 'string' && typeof spanId === 'string') links.push({ traceId, spanId });
  }
  return links;
}
