/**
 * Chooses the reader of a JSON trace input from its first keys, never from the file name:
 * OTLP/JSON (`resourceSpans`, `resource_spans`, legacy `batches`), Jaeger JSON (the query API
 * envelope `{"data": ...}`, a UI state dump, or a bare trace `{traceID, spans, processes}`) or
 * Zipkin JSON (an array of spans, or an array of arrays of spans). Anything else goes to the
 * OTLP reader, whose rejections say what a foreign document looks like.
 */
import { type ScanDecision, type ScanFrame, type ScanHandler, JsonScanner, SKIP } from './json-scanner.js';
import { readJaegerJson } from './read-jaeger-json.js';
import { readOtlpJson } from './read-otlp-json.js';
import { readZipkinJson } from './read-zipkin-json.js';
import { DEFAULT_LIMITS, type IngestLimits } from './limits.js';
import type { SpanSink } from './span-sink.js';

export type JsonTraceFormat = 'otlp' | 'jaeger' | 'zipkin';

/**
 * Reads a JSON input: `head` is the start of the text already peeked (used only to choose the
 * reader), `chunks` the whole text from its first byte. Resolves to the number of lines read.
 */
export function readJsonTraces(head: Uint8Array, chunks: AsyncIterable<Uint8Array>, file: string, sink: SpanSink, limits: IngestLimits = DEFAULT_LIMITS): Promise<number> {
  switch (sniffJsonTraceFormat(head)) {
    case 'jaeger':
      return readJaegerJson(chunks, file, sink, limits);
    case 'zipkin':
      return readZipkinJson(chunks, file, sink, { limits });
    case 'otlp':
      return readOtlpJson(chunks, file, sink, limits);
  }
}

const OTLP_KEYS = new Set(['resourceSpans', 'resource_spans', 'batches']);
/** Keys only a Zipkin span has (an OTLP span says `spanId`, a Jaeger span `spanID`). */
const ZIPKIN_SPAN_KEYS = ['id', 'parentId', 'localEndpoint', 'remoteEndpoint', 'binaryAnnotations', 'shared'];

/** What the first value of the head shows: its container, and the keys of its first object. */
interface HeadShape {
  top: 'object' | 'array' | 'other' | null;
  /** Keys of the top-level object, or of the first object inside the top-level array(s). */
  readonly keys: string[];
  /** For a top-level object: the kind of the value of `data`, when seen. */
  dataKind: 'object' | 'array' | 'scalar' | null;
  /** For a top-level array: whether its first element is itself an array. */
  nested: boolean;
}

type Role = 'top-object' | 'top-array' | 'inner-array' | 'first-object';

/** The format the first bytes of a JSON input show; 'otlp' when they show nothing else. */
export function sniffJsonTraceFormat(head: Uint8Array): JsonTraceFormat {
  const shape = readHeadShape(head);
  const has = (k: string) => shape.keys.includes(k);
  if (shape.keys.some((k) => OTLP_KEYS.has(k))) return 'otlp';
  if (shape.top === 'object') {
    if (has('traceID') || has('processes')) return 'jaeger';
    if (shape.dataKind === 'array' || shape.dataKind === 'object') return 'jaeger';
    // `{"data": null, "errors": [...]}`: a query that failed, said in Jaeger's envelope.
    if (has('data') && (has('errors') || has('total'))) return 'jaeger';
    return 'otlp';
  }
  if (shape.top === 'array') {
    if (has('traceId') && ZIPKIN_SPAN_KEYS.some(has)) return 'zipkin';
    if (!shape.nested && has('traceID') && (has('spans') || has('processes'))) return 'jaeger';
  }
  return 'otlp';
}

function readHeadShape(head: Uint8Array): HeadShape {
  const shape: HeadShape = { top: null, keys: [], dataKind: null, nested: false };
  const handler: ScanHandler<Role> = {
    enter(parent: ScanFrame<Role> | null, key: string | number, kind, _line): ScanDecision<Role> {
      if (parent === null) {
        if (key !== 0) return SKIP; // only the first document of JSON Lines
        shape.top = kind === 'scalar' ? 'other' : kind;
        return kind === 'object' ? descend('top-object') : kind === 'array' ? descend('top-array') : SKIP;
      }
      switch (parent.role) {
        case 'top-object':
          shape.keys.push(String(key));
          if (key === 'data') shape.dataKind = kind;
          return SKIP;
        case 'top-array':
        case 'inner-array':
          if (key !== 0) return SKIP;
          if (kind === 'object') return descend('first-object');
          if (kind === 'array' && parent.role === 'top-array') {
            shape.nested = true;
            return descend('inner-array');
          }
          return SKIP;
        case 'first-object':
          shape.keys.push(String(key));
          return SKIP;
      }
    },
    capture() {},
    exit() {},
    syntaxError() {},
  };
  new JsonScanner<Role>(handler).write(head);
  return shape;
}

function descend(role: Role): ScanDecision<Role> {
  return { action: 'descend', role };
}
