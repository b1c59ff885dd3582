/**
 * Reads Zipkin v2 JSON (FORMATS.md §4): an array of spans (`POST /api/v2/spans`,
 * `GET /api/v2/trace/{id}`) or an array of arrays, one per trace (`GET /api/v2/traces`), and
 * JSON Lines of either. Spans are parsed one at a time from the scanner's captures.
 *
 * Zipkin's B3 model lets the SERVER half of an RPC reuse its CLIENT's span id (`"shared": true`);
 * rollgraph, like OTLP, needs one id per span. As fixtures/real/zipkin-itdependencies/convert.mjs
 * does, the shared half gets a new id (the first hex digit XOR 8, or the next free mask), its
 * parent becomes the client half, and the spans of the same trace and service whose `parentId` is
 * the shared id are re-parented onto it. Pieces of one span are merged first, as Zipkin's
 * Trace.merge does. This needs the spans of a trace together, so spans wait in a buffer grouped
 * by trace id: an inner array (one trace) is delivered when it closes, a flat array when it
 * closes or, when more than `maxBufferedSpans` spans wait, oldest trace first. What the bound can
 * cost: docs/sources/jaeger-and-zipkin.md.
 */
import { SpanKind } from '@opentelemetry/api';
import type { Span } from '../model.js';
import { SPAN_ATTRIBUTE_KEYS } from '../semconv.js';
import { CAPTURE, SKIP, type ScanDecision, type ScanFrame, type ScanHandler, JsonScanner, formatPath } from './json-scanner.js';
import { DEFAULT_LIMITS, type IngestLimits } from './limits.js';
import { parseJsonLossless } from './lossless-json.js';
import { OversizedAttributes } from './oversized-attributes.js';
import { FieldProblem, isObject } from './otlp-values.js';
import { ALL_ZEROS, readMicrosAsMillis, readPaddedHexId } from './read-jaeger-json.js';
import { SpanResources, UNKNOWN_SERVICE } from './span-resources.js';
import type { SpanSink } from './span-sink.js';

export interface ZipkinReadOptions {
  /** Spans held for re-parenting before the oldest traces are delivered early. */
  readonly maxBufferedSpans?: number;
  /** Bounds on values, nesting and attribute sizes (limits.ts). */
  readonly limits?: IngestLimits;
}

export const DEFAULT_MAX_BUFFERED_SPANS = 10_000;

/** Shared-id renames remembered from flushed traces, for children that arrive after the flush. */
const REMEMBERED_SHARED_IDS = 10_000;

type Role = { readonly t: 'spans' } | { readonly t: 'trace' };

const SPANS: ScanDecision<Role> = { action: 'descend', role: { t: 'spans' } };
const TRACE: ScanDecision<Role> = { action: 'descend', role: { t: 'trace' } };

/** Reads one input's bytes into the sink; resolves to the number of lines read. */
export async function readZipkinJson(chunks: AsyncIterable<Uint8Array>, file: string, sink: SpanSink, options: ZipkinReadOptions = {}): Promise<number> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const reader = new ZipkinJsonReader(file, sink, options.maxBufferedSpans ?? DEFAULT_MAX_BUFFERED_SPANS, new OversizedAttributes(file, limits.maxAttributeBytes));
  const scanner = new JsonScanner<Role>(reader, limits);
  for await (const chunk of chunks) scanner.write(chunk);
  scanner.end();
  reader.finish(scanner.values);
  return scanner.currentLine;
}

/** The host that recorded a span: Zipkin's identity of a span's side, beside its id. */
interface Endpoint {
  service: string | null;
  ipv4: string | null;
  ipv6: string | null;
  port: number | null;
}

/** A span read from Zipkin, before its pieces are merged and shared ids resolved. */
interface PendingSpan {
  readonly traceId: string;
  spanId: string;
  parentSpanId: string | null;
  /** `shared: true`, or a server half recognised without the flag. */
  shared: boolean;
  readonly local: Endpoint;
  kind: SpanKind | undefined;
  name: string;
  isError: boolean;
  startMs: number | null;
  attributes: Record<string, string>;
}

const KINDS: Record<string, SpanKind> = {
  CLIENT: SpanKind.CLIENT,
  SERVER: SpanKind.SERVER,
  PRODUCER: SpanKind.PRODUCER,
  CONSUMER: SpanKind.CONSUMER,
};

class ZipkinJsonReader implements ScanHandler<Role> {
  private readonly resources = new SpanResources();
  /** Spans waiting for the rest of their trace, by trace id, oldest trace first. */
  private readonly buffer = new Map<string, PendingSpan[]>();
  private buffered = 0;
  /** `traceId/sharedId/service` -> new id of the shared half, from traces already flushed. */
  private readonly flushedShared = new Map<string, string>();
  /** Traces some of whose spans were flushed early because the buffer was full. */
  private readonly partlyFlushed = new Set<string>();
  private lateSharedHalves = 0;
  private earlyFlushes = 0;
  private mergedPieces = 0;
  private unflaggedServerHalves = 0;
  private readonly unknownKinds = new Map<string, number>();
  private v1: { line: number; field: string; count: number } | null = null;

  constructor(
    private readonly file: string,
    private readonly sink: SpanSink,
    private readonly maxBuffered: number,
    private readonly oversized: OversizedAttributes,
  ) {}

  enter(parent: ScanFrame<Role> | null, key: string | number, kind: 'object' | 'array' | 'scalar', line: number): ScanDecision<Role> {
    if (parent === null) {
      if (kind === 'array') return SPANS;
      this.reject(line, null, `expected a Zipkin v2 array of spans, got ${kind === 'object' ? 'an object' : 'a scalar'}`);
      return SKIP;
    }
    if (kind === 'object') return CAPTURE;
    if (kind === 'array' && parent.role.t === 'spans' && parent.parent === null) return TRACE;
    this.reject(line, formatPath(parent, key), 'expected a Zipkin span object');
    return SKIP;
  }

  capture(parent: ScanFrame<Role> | null, key: string | number, text: string, line: number, hasBigNumber: boolean): void {
    if (parent === null) return;
    const path = formatPath(parent, key);
    let obj: unknown;
    try {
      obj = parseJsonLossless(text, hasBigNumber);
    } catch (error) {
      this.reject(line, path, `invalid JSON: ${(error as Error).message}`);
      return;
    }
    if (!isObject(obj)) return;
    if (isZipkinV1(obj)) {
      if (this.v1 === null) this.v1 = { line, field: path, count: 1 };
      else this.v1.count++;
      return;
    }
    const span = this.readSpan(obj);
    if (span instanceof FieldProblem) {
      this.reject(line, `${path}.${span.field}`, span.reason);
      return;
    }
    span.attributes = this.oversized.prune(span.attributes, line, path) as Record<string, string>;
    let group = this.buffer.get(span.traceId);
    if (group === undefined) {
      group = [];
      this.buffer.set(span.traceId, group);
    }
    group.push(span);
    if (++this.buffered > this.maxBuffered) this.flushOldest();
  }

  /** An inner array is one trace, a top-level array a whole batch: either way its spans are all here. */
  exit(): void {
    this.flushAll();
  }

  syntaxError(line: number, path: string, message: string, isLimit = false): void {
    this.reject(line, path === '' ? null : path, isLimit ? message : `invalid JSON: ${message}`);
  }

  finish(values: number): void {
    this.flushAll(); // spans read before a syntax error still count
    if (values === 0) this.reject(1, null, 'no JSON value: the input is empty');
    if (this.v1 !== null) {
      const { line, field, count } = this.v1;
      const more = count === 1 ? '' : ` (and ${count - 1} more spans like it)`;
      this.reject(line, field, `Zipkin v1 JSON (binaryAnnotations, endpoints on annotations) is not supported: rollgraph reads Zipkin v2 JSON; fetch the traces from /api/v2 or convert them${more}`);
    }
    if (this.resources.withoutService > 0) {
      this.sink.warn(this.file, `Zipkin spans without localEndpoint.serviceName: they count as ${UNKNOWN_SERVICE}`, this.resources.withoutService);
    }
    if (this.mergedPieces > 0) this.sink.warn(this.file, 'Zipkin spans sent in pieces (same id and local endpoint) merged into one', this.mergedPieces);
    if (this.unflaggedServerHalves > 0) {
      this.sink.warn(this.file, "spans reusing another service's span id without \"shared\": true, read as that call's server half", this.unflaggedServerHalves);
    }
    for (const [kind, count] of this.unknownKinds) this.sink.warn(this.file, `Zipkin spans of unknown kind ${JSON.stringify(kind)}, read as unspecified`, count);
    this.oversized.report(this.sink);
    if (this.lateSharedHalves > 0) {
      this.sink.warn(
        this.file,
        `shared Zipkin server spans read after part of their trace had left the buffer (${this.maxBuffered} spans): their children read before them may stay under the client span`,
        this.lateSharedHalves,
      );
    } else if (this.earlyFlushes > 0) {
      this.sink.warn(this.file, `traces flushed before their end because more than ${this.maxBuffered} spans waited (no shared span id was affected)`, this.earlyFlushes);
    }
  }

  private readSpan(obj: Record<string, unknown>): PendingSpan | FieldProblem {
    const traceId = readPaddedHexId(obj.traceId, 32, 'traceId');
    if (traceId instanceof FieldProblem) return traceId;
    const spanId = readPaddedHexId(obj.id, 16, 'id');
    if (spanId instanceof FieldProblem) return spanId;
    let parentSpanId: string | null = null;
    if (obj.parentId !== undefined && obj.parentId !== null && obj.parentId !== '') {
      const parent = readPaddedHexId(obj.parentId, 16, 'parentId');
      if (parent instanceof FieldProblem) {
        if (parent.reason !== ALL_ZEROS) return parent;
      } else if (parent !== spanId) {
        parentSpanId = parent; // parentId == id: a root (the Collector's self-parent guard)
      }
    }
    let kind: SpanKind | undefined;
    if (obj.kind !== undefined && obj.kind !== null) {
      if (typeof obj.kind !== 'string') return new FieldProblem('kind', `expected CLIENT, SERVER, PRODUCER or CONSUMER, got ${typeof obj.kind}`);
      kind = KINDS[obj.kind];
      if (kind === undefined) this.unknownKinds.set(obj.kind, (this.unknownKinds.get(obj.kind) ?? 0) + 1);
    }
    const startMs = readMicrosAsMillis(obj.timestamp, 'timestamp');
    if (startMs instanceof FieldProblem) return startMs;
    const local = readEndpoint(obj.localEndpoint, 'localEndpoint');
    if (local instanceof FieldProblem) return local;
    const remote = readEndpoint(obj.remoteEndpoint, 'remoteEndpoint');
    if (remote instanceof FieldProblem) return remote;
    const tags = obj.tags ?? null;
    if (tags !== null && !isObject(tags)) return new FieldProblem('tags', `expected an object of string values, got ${Array.isArray(tags) ? 'an array' : typeof tags}`);
    const attributes: Record<string, string> = {};
    let isError = false;
    if (tags !== null) {
      for (const [k, v] of Object.entries(tags)) {
        if (k === 'error') isError = true; // Zipkin counts an error tag whatever its value
        else if (k === 'otel.status_code' && v === 'ERROR') isError = true;
        if (!SPAN_ATTRIBUTE_KEYS.has(k) || v === null || v === '' || typeof v === 'object') continue;
        attributes[k] = String(v);
      }
    }
    if (remote.service !== null && attributes['peer.service'] === undefined) attributes['peer.service'] = remote.service;
    return {
      traceId,
      spanId,
      parentSpanId,
      shared: obj.shared === true,
      local,
      kind,
      name: typeof obj.name === 'string' ? obj.name : '',
      isError,
      startMs,
      attributes,
    };
  }

  /** The buffer is full: the oldest traces go, down to 90% of the bound. */
  private flushOldest(): void {
    const target = Math.floor(this.maxBuffered * 0.9);
    for (const [traceId, group] of this.buffer) {
      if (this.buffered <= target) break;
      this.buffer.delete(traceId);
      this.buffered -= group.length;
      this.earlyFlushes++;
      this.flushTrace(traceId, group);
      remember(this.partlyFlushed, traceId);
    }
  }

  private flushAll(): void {
    for (const [traceId, group] of this.buffer) this.flushTrace(traceId, group);
    this.buffer.clear();
    this.buffered = 0;
  }

  /**
   * Merges the pieces of a span, gives each server half its own id and re-parents its children,
   * then delivers the trace's spans (what convert.mjs of fixtures/real/zipkin-itdependencies does).
   */
  private flushTrace(traceId: string, group: PendingSpan[]): void {
    const spans = this.mergePieces(group);
    this.markUnflaggedServerHalves(spans);
    let renamed: Map<string, string> | null = null;
    let used: Set<string> | null = null;
    let clientIds: Set<string> | null = null;
    for (const span of spans) {
      if (!span.shared) continue;
      if (this.partlyFlushed.has(traceId)) this.lateSharedHalves++;
      used ??= new Set(spans.map((s) => s.spanId));
      clientIds ??= new Set(spans.filter((s) => !s.shared).map((s) => s.spanId));
      const newId = newSharedId(span.spanId, used);
      const key = `${span.spanId}/${span.local.service ?? ''}`;
      (renamed ??= new Map()).set(key, newId);
      rememberEntry(this.flushedShared, `${traceId}/${key}`, newId);
      // The parent is the client half; without it in the trace, Zipkin's parentId (the client's parent).
      if (clientIds!.has(span.spanId)) span.parentSpanId = span.spanId;
      span.spanId = newId;
    }
    for (const span of spans) {
      if (!span.shared && span.parentSpanId !== null) {
        const key = `${span.parentSpanId}/${span.local.service ?? ''}`;
        const newParent = renamed?.get(key) ?? (this.flushedShared.size > 0 ? this.flushedShared.get(`${traceId}/${key}`) : undefined);
        if (newParent !== undefined) span.parentSpanId = newParent;
      }
      this.sink.span(this.toSpan(span));
    }
  }

  /**
   * Zipkin reporters may send one span in several pieces: the same id, shared flag and local
   * endpoint (Zipkin's Trace.merge). The pieces become one span, each field from the first piece
   * that has it. A piece without a kind may also lack the shared flag (a server's late piece,
   * often without timestamp): it joins the shared span of the same endpoint.
   */
  private mergePieces(group: PendingSpan[]): PendingSpan[] {
    if (group.length < 2) return group;
    const byId = new Map<string, PendingSpan[]>();
    const kept: PendingSpan[] = [];
    for (const span of group) {
      const same = byId.get(span.spanId);
      const into = same?.find((s) => isSameEndpoint(s.local, span.local) && (s.shared === span.shared || s.kind === undefined || span.kind === undefined));
      if (into !== undefined) {
        mergePiece(into, span);
        this.mergedPieces++;
        continue;
      }
      if (same === undefined) byId.set(span.spanId, [span]);
      else same.push(span);
      kept.push(span);
    }
    return kept;
  }

  /**
   * Some instrumentation does not flag the server half of a shared id: a span that reuses the id
   * of a span of another service is read as that span's server half (Zipkin's Trace.merge does
   * the same for a SERVER after a CLIENT). The id belongs to the CLIENT span, else the first.
   */
  private markUnflaggedServerHalves(spans: readonly PendingSpan[]): void {
    let owners: Map<string, PendingSpan> | null = null;
    for (const span of spans) {
      if (span.shared) continue;
      owners ??= new Map();
      const owner = owners.get(span.spanId);
      if (owner === undefined || (owner.kind !== SpanKind.CLIENT && span.kind === SpanKind.CLIENT)) owners.set(span.spanId, span);
    }
    if (owners === null || owners.size === spans.length) return;
    for (const span of spans) {
      const owner = owners.get(span.spanId);
      if (span.shared || owner === undefined || owner === span || owner.local.service === span.local.service) continue;
      span.shared = true;
      this.unflaggedServerHalves++;
    }
  }

  private toSpan(p: PendingSpan): Span {
    const resource = this.resources.of(p.local.service, null, null);
    return {
      traceId: p.traceId,
      spanId: p.spanId,
      parentSpanId: p.parentSpanId,
      resource,
      kind: p.kind,
      name: p.name,
      isError: p.isError,
      startMs: p.startMs,
      attributes: Object.keys(p.attributes).length === 0 ? NO_ATTRIBUTES : p.attributes,
      links: NO_LINKS,
    };
  }

  private reject(line: number, field: string | null, reason: string): void {
    this.sink.reject({ file: this.file, line, field: field === '' ? null : field, reason });
  }
}

const NO_LINKS: Span['links'] = [];
const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

/** Endpoints that may be the same host: every field either unknown on one side or equal. */
function isSameEndpoint(a: Endpoint, b: Endpoint): boolean {
  const agree = <T>(x: T | null, y: T | null) => x === null || y === null || x === y;
  return agree(a.service, b.service) && agree(a.ipv4, b.ipv4) && agree(a.ipv6, b.ipv6) && agree(a.port, b.port);
}

/** Fills what `into` lacks from another piece of the same span. */
function mergePiece(into: PendingSpan, piece: PendingSpan): void {
  into.shared ||= piece.shared;
  into.parentSpanId ??= piece.parentSpanId;
  into.kind ??= piece.kind;
  if (into.name === '') into.name = piece.name;
  into.startMs ??= piece.startMs;
  into.isError ||= piece.isError;
  into.attributes = { ...piece.attributes, ...into.attributes };
  into.local.service ??= piece.local.service;
  into.local.ipv4 ??= piece.local.ipv4;
  into.local.ipv6 ??= piece.local.ipv6;
  into.local.port ??= piece.local.port;
}

/**
 * Zipkin v1 spans carry `binaryAnnotations` and endpoints on annotations (`cs`, `sr` ...); v2
 * has neither (FORMATS.md §4).
 */
function isZipkinV1(obj: Record<string, unknown>): boolean {
  if (obj.binaryAnnotations !== undefined) return true;
  return Array.isArray(obj.annotations) && obj.annotations.some((a) => isObject(a) && a.endpoint !== undefined);
}

const ZEROS = /^0+$/;

/** An endpoint's name and address; every field null when the endpoint is absent. */
function readEndpoint(value: unknown, field: string): Endpoint | FieldProblem {
  if (value === undefined || value === null) return { service: null, ipv4: null, ipv6: null, port: null };
  if (!isObject(value)) return new FieldProblem(field, `expected an object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  const name = value.serviceName;
  if (name !== undefined && name !== null && typeof name !== 'string') return new FieldProblem(`${field}.serviceName`, `expected a string, got ${typeof name}`);
  return {
    service: typeof name === 'string' && name !== '' ? name : null,
    ipv4: typeof value.ipv4 === 'string' ? value.ipv4 : null,
    ipv6: typeof value.ipv6 === 'string' ? value.ipv6 : null,
    port: typeof value.port === 'number' && value.port > 0 ? value.port : null,
  };
}

/** A new span id for a shared half: the first hex digit XOR a mask, free in the trace and never all-zero. */
function newSharedId(id: string, used: Set<string>): string {
  const first = parseInt(id[0]!, 16);
  for (const mask of SHARED_MASKS) {
    const candidate = (first ^ mask).toString(16) + id.slice(1);
    if (!used.has(candidate) && !ZEROS.test(candidate)) {
      used.add(candidate);
      return candidate;
    }
  }
  // Sixteen ids that differ only in their first digit are all taken: change the last one too.
  return newSharedId(id.slice(0, -1) + ((parseInt(id.at(-1)!, 16) + 1) % 16).toString(16), used);
}

const SHARED_MASKS = [8, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15];

function remember(set: Set<string>, value: string): void {
  set.add(value);
  if (set.size > REMEMBERED_SHARED_IDS) set.delete(set.values().next().value!);
}

function rememberEntry(map: Map<string, string>, key: string, value: string): void {
  map.set(key, value);
  if (map.size > REMEMBERED_SHARED_IDS) map.delete(map.keys().next().value!);
}
